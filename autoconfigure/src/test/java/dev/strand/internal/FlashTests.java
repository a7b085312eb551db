package dev.strand.internal;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strand.Outcome;
import dev.strand.View;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.drainMailbox;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flash messages, with LiveView's rules: one per kind, a new one replaces the old, and they stay until they are
 * cleared; what the page is told, and what a full re-render shows.
 */
class FlashTests {

	private final StrandEngine engine = EngineTestSupport.engine(EngineSettings.defaults(), StrandMetrics.NONE);

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	@AfterEach
	void shutDown() {
		EngineTestSupport.shutDown(this.engine, this.registry);
	}

	@Test
	void whenAKindIsFlashedAgainThenTheNewMessageReplacesTheOld() {
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, new EngineTestSupport.RecordingCallbacks());
		EngineTestSupport.Stream stream = connect(tab);
		inTurn(tab, () -> tab.view().flash("info", "Completed!").flash("error", "Failed"));
		inTurn(tab, () -> tab.view().flash("info", "Started"));
		assertThat(tab.flashes()).containsExactly(Map.entry("info", "Started"), Map.entry("error", "Failed"));
		// the stream reads what the turn logged on the thread that logged it: it may still be reading
		EngineTestSupport.eventually().untilAsserted(() -> assertThat(data(stream)).containsExactly(
				"{\"kind\":\"info\",\"message\":\"Completed!\"}", "{\"kind\":\"error\",\"message\":\"Failed\"}",
				"{\"kind\":\"info\",\"message\":\"Started\"}"));
	}

	@Test
	void whenAKindIsClearedThenThePageIsToldAndAFullRenderNoLongerHasIt() {
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, new EngineTestSupport.RecordingCallbacks());
		EngineTestSupport.Stream stream = connect(tab);
		inTurn(tab, () -> tab.view().flash("info", "Completed!").flash("error", "Failed"));
		inTurn(tab, () -> tab.view().clearFlash("info").clearFlash("never-set"));
		assertThat(tab.flashes()).containsExactly(Map.entry("error", "Failed"));
		EngineTestSupport.eventually()
			.untilAsserted(() -> assertThat(data(stream)).endsWith("{\"kind\":\"info\",\"message\":null}"));
	}

	@Test
	void whenEveryKindIsClearedThenThePageIsToldOfEach() {
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, new EngineTestSupport.RecordingCallbacks());
		EngineTestSupport.Stream stream = connect(tab);
		inTurn(tab, () -> tab.view().flash("info", "Completed!").flash("error", "Failed"));
		inTurn(tab, () -> tab.view().clearFlash().flash("error", "Failed again"));
		assertThat(tab.flashes()).containsExactly(Map.entry("error", "Failed again"));
		EngineTestSupport.eventually().untilAsserted(() -> assertThat(data(stream))
			.endsWith("{\"kind\":\"info\",\"message\":null}", "{\"kind\":\"error\",\"message\":\"Failed again\"}"));
	}

	@Test
	void whenACallbackThatClearedTheFlashThrowsThenTheFlashIsAsItWas() {
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onOutcome(String task, Outcome<?> outcome, View view) {
				view.clearFlash();
				throw new IllegalStateException("the callback failed");
			}

		};
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		EngineTestSupport.Stream stream = connect(tab);
		inTurn(tab, () -> tab.view().flash("info", "Completed!").startAsync("job", (task) -> "done"));
		EngineTestSupport.eventually().until(() -> stream.ofType("outcome").size() == 1);
		drainMailbox(tab);
		assertThat(tab.flashes()).containsEntry("info", "Completed!");
		assertThat(data(stream)).noneMatch((data) -> data.contains("\"message\":null"));
	}

	private static List<String> data(EngineTestSupport.Stream stream) {
		return stream.ofType("flash").stream().map(EventLog.Entry::data).toList();
	}

}
