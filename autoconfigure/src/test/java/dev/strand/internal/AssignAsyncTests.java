package dev.strand.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.strand.AsyncOptions;
import dev.strand.AsyncResult;
import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.TaskFailedException;

import static dev.strand.internal.EngineTestSupport.connect;
import static dev.strand.internal.EngineTestSupport.eventually;
import static dev.strand.internal.EngineTestSupport.inTurn;
import static dev.strand.internal.StartAsyncTests.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * LiveView's {@code assign_async} scenarios, run against the engine: each key holds an {@link AsyncResult}
 * that follows its loader.
 */
@ExtendWith(OutputCaptureExtension.class)
class AssignAsyncTests {

	private final EngineTestSupport.RecordingCallbacks callbacks = new EngineTestSupport.RecordingCallbacks();

	private final StrandEngine engine = StrandEngine.withDefaults();

	private final MemoryTabRegistry registry = new MemoryTabRegistry(this.engine);

	private final TabActor tab = this.registry.openLocal("session", SessionHandle.DETACHED, this.callbacks);

	private final View view = this.tab.view();

	@AfterEach
	void closeEngine() {
		EngineTestSupport.shutDown(this.engine, this.registry);
	}

	private AsyncResult<?> result(String key) {
		return inTurn(this.tab, () -> this.view.<AsyncResult<?>>get(key));
	}

	private AsyncResult<?> awaitSettled(String key) {
		eventually().until(() -> !result(key).loading());
		return result(key);
	}

	private void loaded(String key, Object value) {
		inTurn(this.tab, () -> this.view.assignAsync(key, () -> value));
		assertThat(awaitSettled(key)).isEqualTo(AsyncResult.ok(value));
	}

	@Test
	void whenLoaderReturnsThenTheResultIsOk() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> "acme"));
		assertThat(awaitSettled("org")).isEqualTo(AsyncResult.ok("acme"));
		assertThat(this.callbacks.outcomes).isEmpty();
	}

	@Test
	void whenLoaderReturnsNullThenTheResultIsOkWithNull() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> null));
		assertThat(awaitSettled("org")).isEqualTo(AsyncResult.ok(null));
	}

	@Test
	void whenViewIsNotConnectedThenTheLoaderDoesNotRunAndTheResultShowsLoading() {
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> "acme"));
		assertThat(result("org")).isEqualTo(AsyncResult.pending());
		assertThat(this.engine.activeTasks()).isZero();
		assertThat(inTurn(this.tab, () -> this.view.isRunning("org"))).isTrue();
		connect(this.tab);
		assertThat(awaitSettled("org")).isEqualTo(AsyncResult.ok("acme"));
	}

	@Test
	void whenLoaderReturnsEveryKeyThenEachKeyGetsItsValue() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync(Set.of("profile", "rank"), () -> Map.of("profile", "ada", "rank", 1)));
		assertThat(awaitSettled("profile")).isEqualTo(AsyncResult.ok("ada"));
		assertThat(awaitSettled("rank")).isEqualTo(AsyncResult.ok(1));
	}

	@Test
	void whenLoaderMissesAKeyThenEveryKeyFailsWithAnExitThatNamesIt(CapturedOutput output) {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync(Set.of("profile", "rank", "badge"), () -> Map.of("profile", "ada")));
		AsyncResult<?> profile = awaitSettled("profile");
		assertThat(profile.failed()).isNotNull();
		assertThat(profile.failed().kind()).isEqualTo(Outcome.Kind.EXIT);
		assertThat(profile.failed().code()).isEqualTo("exit");
		assertThat(profile.failed().reason()).isNull(); // never the raw error
		assertThat(awaitSettled("rank").failed()).isEqualTo(profile.failed());
		assertThat(awaitSettled("badge").failed()).isEqualTo(profile.failed());
		assertThat(output).contains("[ref " + profile.failed().ref() + "]")
			.contains("returned a map without [badge, rank]");
	}

	@Test
	void whenLoaderOfSeveralKeysReturnsNullThenItExitsWithAClearMessage(CapturedOutput output) {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync(Set.of("profile", "rank"), () -> null));
		AsyncResult<?> profile = awaitSettled("profile");
		assertThat(profile.failed().kind()).isEqualTo(Outcome.Kind.EXIT);
		assertThat(output).contains("[ref " + profile.failed().ref() + "]")
			.contains("returned null; return a Map with a value for every key");
	}

	@Test
	void whenLoaderThrowsThenTheResultFailsWithAnExit() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			throw new IllegalStateException("boom");
		}));
		AsyncResult<?> org = awaitSettled("org");
		assertThat(org.ok()).isFalse();
		assertThat(org.failed().kind()).isEqualTo(Outcome.Kind.EXIT);
		assertThat(org.failed().ref()).isNotBlank();
	}

	@Test
	void whenLoaderThreadDiesThenTheResultFailsWithAnExit() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			throw new OutOfMemoryError("pretend");
		}));
		assertThat(awaitSettled("org").failed().kind()).isEqualTo(Outcome.Kind.EXIT);
	}

	@Test
	void whenLoaderFailsWithAReasonThenTheResultFailsWithIt() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			throw TaskFailedException.of("not found");
		}));
		AsyncResult.Failure failure = awaitSettled("org").failed();
		assertThat(failure.kind()).isEqualTo(Outcome.Kind.FAILED);
		assertThat(failure.code()).isEqualTo("failed");
		assertThat(failure.reason()).isEqualTo("not found");
	}

	@Test
	void whenLoaderFailsWithAReasonThenItIsLoggedAtInfoWithoutAStackTrace(CapturedOutput output) {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			throw TaskFailedException.of("not found");
		}));
		String ref = awaitSettled("org").failed().ref();
		eventually().until(() -> output.getOut().contains(ref));
		assertThat(output.getOut().lines().filter((line) -> line.contains(ref)))
			.singleElement().asString().contains("INFO").contains("failed with not found");
		assertThat(output.getOut()).doesNotContain("ERROR").doesNotContain("TaskFailedException");
	}

	@Test
	void whenLoaderThrowsAnythingElseThenItIsLoggedAsAnErrorWithItsStackTrace(CapturedOutput output) {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			throw new IllegalStateException("not found, thrown");
		}));
		String ref = awaitSettled("org").failed().ref();
		eventually().until(() -> output.getOut().contains(ref));
		assertThat(output.getOut()).contains("ERROR").contains("crashed [ref " + ref + "]")
			.contains("java.lang.IllegalStateException: not found, thrown").contains("\tat ");
	}

	@Test
	void whenReloadedThenThePreviousResultIsKeptWhileLoading() {
		connect(this.tab);
		loaded("org", "v1");
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			release.await();
			return "v2";
		}));
		assertThat(result("org")).isEqualTo(new AsyncResult<>(true, true, null, "v1", null));
		release.countDown();
		assertThat(awaitSettled("org")).isEqualTo(AsyncResult.ok("v2"));
	}

	@Test
	void whenReloadedWithResetThenThePreviousResultIsDropped() {
		connect(this.tab);
		loaded("org", "v1");
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync("org", AsyncOptions.reset(), () -> {
			release.await();
			return "v2";
		}));
		assertThat(result("org")).isEqualTo(AsyncResult.pending());
		release.countDown();
		assertThat(awaitSettled("org")).isEqualTo(AsyncResult.ok("v2"));
	}

	@Test
	void whenReloadedWithResetOfSomeKeysThenOnlyTheirPreviousResultIsDropped() {
		connect(this.tab);
		inTurn(this.tab, () -> this.view.assignAsync(Set.of("x", "y"), () -> Map.of("x", 1, "y", 2)));
		awaitSettled("x");
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync(Set.of("x", "y"), AsyncOptions.reset("x"), () -> {
			release.await();
			return Map.of("x", 10, "y", 20);
		}));
		assertThat(result("x")).isEqualTo(AsyncResult.pending());
		assertThat(result("y")).isEqualTo(new AsyncResult<>(true, true, null, 2, null));
		release.countDown();
		assertThat(awaitSettled("x")).isEqualTo(AsyncResult.ok(10));
		assertThat(awaitSettled("y")).isEqualTo(AsyncResult.ok(20));
	}

	@Test
	void whenReloadFailsThenThePreviousResultIsKeptAndOkStaysTrue() {
		connect(this.tab);
		loaded("org", "v1");
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			throw TaskFailedException.of("gone");
		}));
		AsyncResult<?> org = awaitSettled("org");
		assertThat(org.ok()).isTrue();
		assertThat(org.result()).isEqualTo("v1");
		assertThat(org.failed().reason()).isEqualTo("gone");
	}

	@Test
	void whenCancelledByKeyThenTheResultFailsAsCancelled() {
		connect(this.tab);
		StartAsyncTests.Blocking loader = new StartAsyncTests.Blocking();
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> loader.run(null)));
		loader.awaitStarted();
		assertThat(inTurn(this.tab, () -> this.view.cancelAsync("org"))).isTrue();
		AsyncResult.Failure failure = awaitSettled("org").failed();
		assertThat(failure).isEqualTo(new AsyncResult.Failure(Outcome.Kind.CANCELLED, "cancelled", null, CancelReason.REQUESTED));
		assertThat(EngineTestSupport.join(loader.interrupted)).isTrue();
		assertThat(inTurn(this.tab, () -> this.view.isRunning("org"))).isFalse();
	}

	@Test
	void whenCancelledByItsAsyncResultThenOnlyThatKeysLoaderIsCancelled() {
		connect(this.tab);
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			release.await();
			return "acme";
		}).assignAsync("profile", () -> {
			release.await();
			return "ada";
		}));
		assertThat(inTurn(this.tab, () -> this.view.cancelAsync(this.view.<AsyncResult<?>>get("profile")))).isTrue();
		assertThat(awaitSettled("profile").failed().reason()).isEqualTo(CancelReason.REQUESTED);
		assertThat(result("org").loading()).isTrue();
		release.countDown();
		assertThat(awaitSettled("org")).isEqualTo(AsyncResult.ok("acme"));
	}

	@Test
	void whenCancelledWithAReasonThenTheKeysFailureHoldsItInTheSameTurn() {
		connect(this.tab);
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			release.await();
			return "acme";
		}).assignAsync(Set.of("profile", "rank"), () -> {
			release.await();
			return Map.of("profile", "ada", "rank", 1);
		}));
		AsyncResult.Failure byKey = inTurn(this.tab, () -> {
			this.view.cancelAsync("org", "the user moved on");
			return this.view.<AsyncResult<?>>get("org").failed();
		});
		assertThat(byKey).isEqualTo(new AsyncResult.Failure(Outcome.Kind.CANCELLED, "cancelled", null,
				CancelReason.REQUESTED, "the user moved on"));
		AsyncResult.Failure byResult = inTurn(this.tab, () -> {
			AsyncResult<?> profile = this.view.get("profile"); // as the README shows it: get alone is ambiguous
			this.view.cancelAsync(profile, Map.of("why", "stale"));
			return this.view.<AsyncResult<?>>get("rank").failed();
		});
		assertThat(byResult.detail()).isEqualTo(Map.of("why", "stale"));
		assertThat(awaitSettled("profile").failed().detail()).isEqualTo(Map.of("why", "stale"));
		release.countDown();
	}

	@Test
	void whenCancelledWithANullReasonThenItFailsClearlyAndNothingIsCancelled() {
		connect(this.tab);
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			release.await();
			return "acme";
		}));
		assertThatIllegalArgumentException().isThrownBy(() -> inTurn(this.tab, () -> this.view.cancelAsync("org", null)))
			.withMessage("A cancel reason must not be null; call cancelAsync without one instead");
		assertThat(inTurn(this.tab, () -> this.view.isRunning("org"))).isTrue();
		release.countDown();
		assertThat(awaitSettled("org")).isEqualTo(AsyncResult.ok("acme"));
	}

	@Test
	void whenCancelledWithAnAsyncResultTheViewDoesNotHoldThenItFailsClearly() {
		connect(this.tab);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> inTurn(this.tab, () -> this.view.cancelAsync(AsyncResult.ok("elsewhere"))))
			.withMessageContaining("no assign of view");
	}

	@Test
	void whenOneKeyOfAGroupIsCancelledThenTheWholeGroupIsCancelled() {
		connect(this.tab);
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync(Set.of("profile", "rank"), () -> {
			release.await();
			return Map.of("profile", "ada", "rank", 1);
		}));
		assertThat(inTurn(this.tab, () -> this.view.cancelAsync("rank"))).isTrue();
		assertThat(awaitSettled("profile").failed().kind()).isEqualTo(Outcome.Kind.CANCELLED);
		assertThat(awaitSettled("rank").failed().kind()).isEqualTo(Outcome.Kind.CANCELLED);
	}

	@Test
	void whenAKeyMovesToANewLoaderThenTheOldLoaderDoesNotMarkItFailed() {
		connect(this.tab);
		CountDownLatch releaseOld = new CountDownLatch(1);
		CountDownLatch releaseNew = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync(Set.of("profile", "rank"), () -> {
			releaseOld.await();
			return Map.of("profile", "old", "rank", 1);
		}));
		inTurn(this.tab, () -> this.view.assignAsync("profile", () -> {
			releaseNew.await();
			return "new";
		}));
		// the old group was replaced: its other key fails, the moved key keeps loading with its new loader
		assertThat(awaitSettled("rank").failed().reason()).isEqualTo(CancelReason.REPLACED);
		EngineTestSupport.drainMailbox(this.tab);
		assertThat(result("profile")).isEqualTo(AsyncResult.pending());
		releaseNew.countDown();
		assertThat(awaitSettled("profile")).isEqualTo(AsyncResult.ok("new"));
	}

	@Test
	void whenViewClosesThenLoadersAreCancelled() {
		connect(this.tab);
		StartAsyncTests.Blocking loader = new StartAsyncTests.Blocking();
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> loader.run(null)));
		loader.awaitStarted();
		this.tab.close(CancelReason.VIEW_CLOSED);
		assertThat(EngineTestSupport.join(loader.interrupted)).isTrue();
		eventually().until(() -> this.engine.runningBodies() == 0 && this.engine.activeTasks() == 0);
		assertThat(this.registry.size()).isZero();
	}

	@Test
	void whenAssignAsyncIsGivenNoKeysThenItFailsClearly() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> inTurn(this.tab, () -> this.view.assignAsync(Set.of(), () -> Map.of())))
			.withMessageContaining("at least one key");
	}

	@Test
	void whenLoaderIsSlowThenTheKeyIsLoadingUntilItReturns() {
		connect(this.tab);
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		inTurn(this.tab, () -> this.view.assignAsync("org", () -> {
			started.countDown();
			release.await();
			return "acme";
		}));
		await(started);
		assertThat(result("org")).isEqualTo(AsyncResult.pending());
		release.countDown();
		assertThat(awaitSettled("org")).isEqualTo(AsyncResult.ok("acme"));
	}

}
