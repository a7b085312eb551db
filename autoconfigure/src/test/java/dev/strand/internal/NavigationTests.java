package dev.strand.internal;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.strand.Outcome;
import dev.strand.View;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.drainMailbox;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@link View#navigate}: the page is told where to go, after what the same turn changed. */
class NavigationTests {

	private final StrandEngine engine = EngineTestSupport.engine(EngineSettings.defaults(), StrandMetrics.NONE);

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	@AfterEach
	void shutDown() {
		EngineTestSupport.shutDown(this.engine, this.registry);
	}

	@Test
	void whenACallbackNavigatesThenThePageIsToldWhereToGoAfterTheTurnsOtherChanges() {
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onOutcome(String task, Outcome<?> outcome, View view) {
				view.navigate("/orders/42").flash("info", "Saved");
			}

		};
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		EngineTestSupport.Stream stream = connect(tab);
		inTurn(tab, () -> tab.view().startAsync("save", (task) -> "saved"));
		EngineTestSupport.eventually().until(() -> !stream.ofType("navigate").isEmpty());
		assertThat(stream.events).extracting(EventLog.Entry::name).endsWith("outcome", "flash", "navigate");
		assertThat(stream.ofType("navigate").get(0).data()).isEqualTo("{\"url\":\"/orders/42\"}");
	}

	@Test
	void whenACallbackThatNavigatedThrowsThenThePageStays() {
		EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks() {

			@Override
			public void onOutcome(String task, Outcome<?> outcome, View view) {
				view.navigate("/orders/42");
				throw new IllegalStateException("the callback failed");
			}

		};
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, callbacks);
		EngineTestSupport.Stream stream = connect(tab);
		inTurn(tab, () -> tab.view().startAsync("save", (task) -> "saved"));
		EngineTestSupport.eventually().until(() -> !stream.ofType("outcome").isEmpty());
		drainMailbox(tab);
		assertThat(stream.ofType("navigate")).isEmpty();
		assertThat(stream.ofType("flash")).extracting(EventLog.Entry::data).singleElement().asString()
			.contains("Something went wrong");
	}

	@Test
	void whenNavigateIsGivenNeitherAPathNorAnHttpUrlThenItSaysWhatItTakes() {
		TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, new EngineTestSupport.RecordingCallbacks());
		for (String url : List.of("orders/42", "javascript:alert(1)", " ", "/a\nb")) {
			assertThatIllegalArgumentException().isThrownBy(() -> inTurn(tab, () -> tab.view().navigate(url)))
				.withMessageContaining("navigate");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> inTurn(tab, () -> tab.view().navigate("orders/42")))
			.withMessageContaining("write \"/orders/42\" for a path of this application");
	}

}
