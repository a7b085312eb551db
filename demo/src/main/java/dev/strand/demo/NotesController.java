package dev.strand.demo;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;

import dev.strand.AsyncOptions;
import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.View;

/**
 * A form inside a region that re-renders several times a second: a task ticks a clock into an assign that the
 * region watches, while the user types a note. Each re-render morphs the region, so the field being typed in keeps
 * its text, its focus and its caret, an open {@code <details>} stays open, and the notes already in the list keep
 * their nodes.
 */
@Controller
@RequestMapping("/notes")
class NotesController {

	/** How often the clock ticks, and so how often the region re-renders. */
	static final Duration TICK = Duration.ofMillis(150);

	/** How many notes the page keeps: the oldest go first. */
	static final int MAX_NOTES = 50;

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.S");

	@GetMapping
	String page(View view) {
		view.assign("clock", Clock.START)
			.assign("notes", List.of())
			.assign("nextNote", 1)
			// Runs while the tab is open: it is cancelled when the tab goes away.
			.startAsync("clock", AsyncOptions.timeout(Duration.ofDays(1)), (task) -> {
				while (true) {
					Thread.sleep(TICK);
					task.push(System.currentTimeMillis());
				}
			});
		return "notes";
	}

	// send = false: the page shows the time only through the elements that watch the clock
	@HandleChunk(value = "clock", send = false)
	void tick(Long millis, View view) {
		view.update("clock", (Clock clock) -> clock.tick(millis));
	}

	@HandleAsync("clock")
	void clockStopped(Outcome<Void> outcome, View view) {
		// Only when the tab closes (or after a day).
	}

	@PostMapping("/add")
	void add(View view, @ModelAttribute NoteForm form) {
		String text = (form.text() != null) ? form.text().strip() : "";
		if (text.isEmpty()) {
			view.flash("error", "Write a note first.");
			return;
		}
		int id = view.<Integer>get("nextNote");
		Clock clock = view.get("clock");
		Note note = new Note(id, (text.length() > 200) ? text.substring(0, 200) : text, clock.time());
		view.clearFlash("error").assign("nextNote", id + 1).update("notes", (List<Note> notes) -> {
			List<Note> more = new ArrayList<>(notes);
			more.add(note);
			return List.copyOf(more.subList(Math.max(0, more.size() - MAX_NOTES), more.size()));
		});
	}

	@PostMapping("/remove")
	void remove(View view, @ModelAttribute RemoveForm form) {
		view.update("notes", (List<Note> notes) -> notes.stream().filter((note) -> note.id() != form.id()).toList());
	}

	/**
	 * The clock the task ticks.
	 *
	 * @param ticks how many times it ticked
	 * @param time the time of the last tick, as the page shows it
	 */
	record Clock(long ticks, String time) {

		static final Clock START = new Clock(0, "–");

		Clock tick(long millis) {
			return new Clock(this.ticks + 1, LocalTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault()).format(TIME));
		}

	}

	/**
	 * A note.
	 *
	 * @param id its id, which is its row's id in the page
	 * @param text what it says
	 * @param time when it was added, by the clock
	 */
	record Note(int id, String text, String time) {
	}

	/**
	 * The note form.
	 *
	 * @param text what was typed
	 */
	record NoteForm(@Nullable String text) {
	}

	/**
	 * A note's Remove button.
	 *
	 * @param id the note
	 */
	record RemoveForm(int id) {
	}

}
