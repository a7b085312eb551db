package dev.strand.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.strand.CancelReason;
import dev.strand.Outcome;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** What goes out: each wire event's SSE name, coalescing key and JSON data. */
class WireEventTests {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	private final Json json = new Json(mapper);

	private static WireEvent progress(int done) {
		return new WireEvent.Progress("job", done, 10);
	}

	@Test
	void whenAnyWireEventIsWrittenThenItsNameIsLowerCaseLettersAndItsDataHoldsNoLineBreak() {
		List<WireEvent> events = List.of(new WireEvent.Patch("a", WireEvent.Op.REPLACE, "<p>\r\n</p>"),
				WireEvent.Chunk.of("job", "line\n\nevent: x", this.json), WireEvent.Chunk.of("job", Map.of("k", "v\n"), this.json).withHtml("<b>\n</b>"),
				progress(1), WireEvent.TaskOutcome.of("job", new Outcome.Cancelled<>(CancelReason.REQUESTED)),
				new WireEvent.Flash("info", "a\nb"), new WireEvent.Flash("info", null), new WireEvent.Navigate("/next?a=b\n"),
				new WireEvent.Reset(List.of(new WireEvent.Patch("a", WireEvent.Op.REPLACE, "x\ny")), List.of("job")), new WireEvent.Close("shutdown"));
		for (WireEvent event : events) {
			assertThat(event.name()).matches("[a-z]+");
			String data = event.data(this.json);
			assertThat(data).doesNotContain("\n", "\r");
			assertThat(mapper.readTree(data).isObject()).isTrue();
		}
	}


	@Test
	void whenATextChunkIsWrittenByHandThenItIsWhatJacksonWrites() {
		Random random = new Random(1);
		for (int n = 0; n < 20_000; n++) {
			StringBuilder text = new StringBuilder();
			for (int i = random.nextInt(40); i > 0; i--) {
				int kind = random.nextInt(10);
				text.append((kind < 3) ? (char) random.nextInt(0x80) : (kind < 5) ? (char) random.nextInt(0x20)
						: (kind < 6) ? (char) random.nextInt(0x10000) : "\"\\/<>&x".charAt(random.nextInt(7)));
			}
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("task", "job-" + n);
			data.put("text", text.toString());
			assertThat(WireEvent.Chunk.of("job-" + n, text.toString(), this.json).data(this.json))
				.isEqualTo(mapper.writeValueAsString(data));
		}
	}

	@Test
	void whenAnyOneCharacterIsQuotedThenItIsWhatJacksonWrites() {
		// text with nothing to escape is quoted without Jackson's encoder: every character must agree with it
		for (int c = 0; c <= Character.MAX_VALUE; c++) {
			String text = "a" + (char) c + "b";
			assertThat(this.json.value(text)).as("U+%04X", c).isEqualTo(mapper.writeValueAsString(text));
			assertThat(this.json.quote(String.valueOf((char) c))).as("U+%04X", c)
				.isEqualTo(mapper.writeValueAsString(String.valueOf((char) c)));
		}
	}

	@Test
	void whenATaskNameOrAFragmentNeedsEscapingThenTheChunkIsStillWhatJacksonWrites() {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("task", "say \"hi\"\\");
		data.put("text", "plain");
		data.put("html", "<p title=\"t\">a\nb</p>");
		assertThat(WireEvent.Chunk.of("say \"hi\"\\", "plain", this.json).withHtml("<p title=\"t\">a\nb</p>").data(this.json))
			.isEqualTo(mapper.writeValueAsString(data));
	}

	@Test
	void whenEventsAreWrittenThenTheirDataIsWhatStrandJsReads() {
		assertThat(new WireEvent.Patch("org", WireEvent.Op.REPLACE, "<p>x</p>").data(this.json))
			.isEqualTo("{\"target\":\"org\",\"op\":\"replace\",\"html\":\"<p>x</p>\"}");
		assertThat(WireEvent.Chunk.of("job", Map.of("n", 1), this.json).withHtml("<li>1</li>").data(this.json))
			.isEqualTo("{\"task\":\"job\",\"json\":{\"n\":1},\"html\":\"<li>1</li>\"}");
		assertThat(WireEvent.TaskOutcome.of("org", new Outcome.Ok<>("Acme")).data(this.json))
			.isEqualTo("{\"task\":\"org\",\"kind\":\"ok\"}");
		assertThat(WireEvent.TaskOutcome.of("job", new Outcome.Cancelled<>(CancelReason.VIEW_CLOSED)).data(this.json))
			.isEqualTo("{\"task\":\"job\",\"kind\":\"cancelled\",\"code\":\"cancelled\",\"reason\":\"view-closed\"}");
		assertThat(WireEvent.TaskOutcome.of("job", new Outcome.Cancelled<>(CancelReason.REQUESTED, "a secret")).data(this.json))
			.as("the application's cancel reason never reaches the browser")
			.isEqualTo("{\"task\":\"job\",\"kind\":\"cancelled\",\"code\":\"cancelled\",\"reason\":\"requested\"}");
		assertThat(WireEvent.TaskOutcome.of("job", new Outcome.Failed<>("quota exceeded", "abc")).data(this.json))
			.as("an error value never reaches the browser").doesNotContain("quota")
			.isEqualTo("{\"task\":\"job\",\"kind\":\"failed\",\"code\":\"failed\",\"ref\":\"abc\"}");
		assertThat(new WireEvent.Reset(List.of(new WireEvent.Patch("a", WireEvent.Op.REPLACE, "x")), List.of("job", "a\"b")).data(this.json))
			.isEqualTo("{\"patches\":[{\"target\":\"a\",\"op\":\"replace\",\"html\":\"x\"}],\"running\":[\"job\",\"a\\\"b\"]}");
	}

	@Test
	void whenTextIsMeasuredThenItsLengthIsThatOfItsUtf8Encoding() {
		for (String text : List.of("", "plain", "é ü", "語と文", "emoji 😀 and 𝄞", "mixed é語😀x\u007f\u0080\u07ff\u0800\uffff")) {
			assertThat(Json.utf8Length(text)).as(text).isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
		}
	}

	@Test
	void whenEventsReplaceEarlierOnesThenTheyShareACoalescingKey() {
		assertThat(new WireEvent.Patch("org", WireEvent.Op.REPLACE, "a").coalescingKey()).isEqualTo("patch:org");
		assertThat(new WireEvent.Patch("org", WireEvent.Op.APPEND, "a").coalescingKey()).isNull();
		assertThat(progress(1).coalescingKey()).isEqualTo(progress(2).coalescingKey());
		assertThat(new WireEvent.Flash("info", "a").coalescingKey()).isEqualTo("flash:info");
		assertThat(WireEvent.Chunk.of("job", "a", this.json).coalescingKey()).isNull();
		assertThat(WireEvent.TaskOutcome.of("job", new Outcome.Ok<>(1)).coalescingKey()).isNull();
	}

}
