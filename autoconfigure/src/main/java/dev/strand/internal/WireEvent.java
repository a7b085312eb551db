package dev.strand.internal;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import dev.strand.AsyncResult;
import dev.strand.CancelReason;
import dev.strand.Outcome;

/**
 * What a tab sends to its page: one record per Server-Sent Events type. Each knows its SSE name, its
 * coalescing key and its JSON data; appending one to the tab's {@link EventLog} is the only way out, and
 * strand.js has one handler per name.
 */
public sealed interface WireEvent {

	/**
	 * Return the SSE event name: lower-case letters only.
	 * @return the name
	 */
	String name();

	/**
	 * Return the key under which a later event replaces this one if the stream has not sent it yet, or
	 * {@code null} if it must not be dropped.
	 * @return the coalescing key
	 */
	default @Nullable String coalescingKey() {
		return null;
	}

	/**
	 * Return the event's data as JSON, which never holds a raw line break.
	 * @param json the writer
	 * @return the data
	 */
	String data(Json json);

	/** How a patch is applied to its target element. */
	enum Op {

		/** Replace the element. */
		REPLACE,
		/** Morph the element into the new HTML, keeping focus and what the user typed. */
		MORPH,
		/** Append the HTML to the element's children. */
		APPEND,
		/** Prepend the HTML to the element's children. */
		PREPEND,
		/** Remove the element. */
		REMOVE;

		/**
		 * Return the name used on the wire.
		 * @return the code
		 */
		public String code() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/**
	 * New HTML for the element with this id.
	 *
	 * @param target the element's id
	 * @param op how to apply it
	 * @param html the HTML, rendered and escaped by Thymeleaf
	 */
	record Patch(String target, Op op, String html) implements WireEvent {

		@Override
		public String name() {
			return "patch";
		}

		@Override
		public @Nullable String coalescingKey() {
			return (this.op == Op.REPLACE || this.op == Op.MORPH) ? "patch:" + this.target : null;
		}

		@Override
		public String data(Json json) {
			// as Json.object() would write it, in one string of the exact size: a builder would outgrow its
			// start and be copied, for a patch's HTML
			return "{\"target\":" + json.quote(this.target) + ",\"op\":\"" + this.op.code() + "\",\"html\":"
					+ json.quote(this.html) + "}";
		}

	}

	/**
	 * A task's chunk, already written as JSON (on the task's thread, where its size is checked): text, or any
	 * other value, with its HTML when a {@code strand:chunk} fragment renders it.
	 *
	 * @param task the task's name
	 * @param text whether the chunk is text, sent as {@code "text"}; otherwise it is sent as {@code "json"}
	 * @param value the chunk as JSON: a quoted string for text
	 * @param html the chunk rendered through its fragment, or {@code null}
	 */
	record Chunk(String task, boolean text, String value, @Nullable String html) implements WireEvent {

		/**
		 * Return the event for a chunk.
		 * @param task the task's name
		 * @param chunk the chunk
		 * @param json writes it
		 * @return the event, without HTML
		 */
		public static Chunk of(String task, Object chunk, Json json) {
			return new Chunk(task, chunk instanceof CharSequence, json.value(chunk), null);
		}

		/**
		 * Return this chunk with the HTML its fragment renders.
		 * @param html the HTML, or {@code null}
		 * @return the event
		 */
		public Chunk withHtml(@Nullable String html) {
			return (html != null) ? new Chunk(this.task, this.text, this.value, html) : this;
		}

		@Override
		public String name() {
			return "chunk";
		}

		@Override
		public String data(Json json) {
			// what Json.object() would write, concatenated into one string of the exact size: no builder to
			// outgrow and copy, per push
			String task = json.quote(this.task);
			String field = this.text ? ",\"text\":" : ",\"json\":";
			return (this.html != null) ? "{\"task\":" + task + field + this.value + ",\"html\":" + json.quote(this.html) + "}"
					: "{\"task\":" + task + field + this.value + "}";
		}

	}

	/**
	 * A task's latest progress.
	 *
	 * @param task the task's name
	 * @param done the units done
	 * @param total the units in all, or {@code 0} when unknown
	 */
	record Progress(String task, long done, long total) implements WireEvent {

		@Override
		public String name() {
			return "progress";
		}

		@Override
		public String coalescingKey() {
			return "progress:" + this.task;
		}

		@Override
		public String data(Json json) {
			return json.object().field("task", this.task).field("done", this.done).field("total", this.total).end();
		}

	}

	/**
	 * How a task ended: a code and a correlation id, never a raw error.
	 *
	 * @param task the task's name
	 * @param kind how it ended
	 * @param failure why it did not produce a value, or {@code null} when it did
	 */
	record TaskOutcome(String task, Outcome.Kind kind, AsyncResult.@Nullable Failure failure) implements WireEvent {

		/**
		 * Return the event for an outcome.
		 * @param task the task's name
		 * @param outcome the outcome
		 * @return the event
		 */
		public static TaskOutcome of(String task, Outcome<?> outcome) {
			return new TaskOutcome(task, outcome.kind(),
					(outcome instanceof Outcome.Ok<?>) ? null : AsyncResult.Failure.of(outcome));
		}

		@Override
		public String name() {
			return "outcome";
		}

		@Override
		public String data(Json json) {
			Json.ObjectWriter data = json.object().field("task", this.task).field("kind", this.kind.tag());
			if (this.failure != null) {
				data.field("code", this.failure.code());
				if (this.failure.ref() != null) {
					data.field("ref", this.failure.ref());
				}
				if (this.failure.reason() instanceof CancelReason reason) {
					data.field("reason", reason.code());
				}
			}
			return data.end();
		}

	}

	/**
	 * A flash message, or its removal when the message is {@code null}.
	 *
	 * @param kind the kind, such as {@code info}
	 * @param message the text, or {@code null} to clear the kind
	 */
	record Flash(String kind, @Nullable String message) implements WireEvent {

		@Override
		public String name() {
			return "flash";
		}

		@Override
		public String coalescingKey() {
			return "flash:" + this.kind;
		}

		@Override
		public String data(Json json) {
			return json.object().field("kind", this.kind).field("message", this.message).end();
		}

	}

	/**
	 * Send the page to another URL.
	 *
	 * @param url where to go: an absolute path or an http(s) URL
	 */
	record Navigate(String url) implements WireEvent {

		@Override
		public String name() {
			return "navigate";
		}

		@Override
		public String data(Json json) {
			return json.object().field("url", this.url).end();
		}

	}

	/**
	 * A full re-render, for a browser that missed events no longer buffered.
	 *
	 * @param patches a patch for every element Strand tracks
	 * @param running the tasks that run or wait: the page's word for which ones an outcome may still end
	 */
	record Reset(List<Patch> patches, List<String> running) implements WireEvent {

		@Override
		public String name() {
			return "reset";
		}

		@Override
		public String data(Json json) {
			Json.ArrayWriter array = json.object().array("patches");
			for (Patch patch : this.patches) {
				array.raw(patch.data(json));
			}
			Json.ArrayWriter names = array.end().array("running");
			for (String name : this.running) {
				names.raw(json.quote(name));
			}
			return names.end().end();
		}

	}

	/**
	 * The tab closed: the page stops, or remounts.
	 *
	 * @param reason why, such as {@code view-closed} or {@code shutdown}
	 */
	record Close(String reason) implements WireEvent {

		@Override
		public String name() {
			return "close";
		}

		@Override
		public String data(Json json) {
			return json.object().field("reason", this.reason).end();
		}

	}

}
