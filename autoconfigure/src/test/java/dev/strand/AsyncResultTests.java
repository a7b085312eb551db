package dev.strand;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@link AsyncResult} keeps LiveView's transitions. */
class AsyncResultTests {

	private static final AsyncResult.Failure FAILURE = new AsyncResult.Failure(Outcome.Kind.FAILED, "failed", "ref1", "gone");

	@Test
	void whenNothingStartedThenItIsIdle() {
		AsyncResult<String> idle = AsyncResult.idle();
		assertThat(idle.isIdle()).isTrue();
		assertThat(idle).isEqualTo(new AsyncResult<>(false, false, null, null, null));
	}

	@Test
	void whenPendingThenItIsLoadingWithNoResult() {
		AsyncResult<String> pending = AsyncResult.pending();
		assertThat(pending).isEqualTo(new AsyncResult<>(false, true, null, null, null));
		assertThat(pending.isIdle()).isFalse();
	}

	@Test
	void whenReloadedThenThePreviousResultAndOkAreKept() {
		AsyncResult<String> reloading = AsyncResult.ok("v1").toLoading();
		assertThat(reloading).isEqualTo(new AsyncResult<>(true, true, null, "v1", null));
	}

	@Test
	void whenReloadedAfterAFailureThenTheFailureIsCleared() {
		AsyncResult<String> reloading = AsyncResult.ok("v1").toLoading().toFailed(FAILURE).toLoading();
		assertThat(reloading.failed()).isNull();
		assertThat(reloading.loading()).isTrue();
		assertThat(reloading.result()).isEqualTo("v1");
	}

	@Test
	void whenLoadedThenItIsOkWithTheNewResult() {
		AsyncResult<String> loaded = AsyncResult.ok("v1").toLoading().withProgress(new Progress(1, 2)).toOk("v2");
		assertThat(loaded).isEqualTo(AsyncResult.ok("v2"));
	}

	@Test
	void whenLoadedWithNullThenItIsOkWithNoResult() {
		assertThat(AsyncResult.<String>pending().toOk(null)).isEqualTo(new AsyncResult<>(true, false, null, null, null));
	}

	@Test
	void whenFailedThenThePreviousResultIsKeptAndOkStaysTrue() {
		AsyncResult<String> failed = AsyncResult.ok("v1").toLoading().toFailed(FAILURE);
		assertThat(failed).isEqualTo(new AsyncResult<>(true, false, FAILURE, "v1", null));
	}

	@Test
	void whenFirstLoadFailsThenItIsNotOk() {
		assertThat(AsyncResult.<String>pending().toFailed(FAILURE)).isEqualTo(AsyncResult.failed(FAILURE));
		assertThat(AsyncResult.failed(FAILURE).ok()).isFalse();
	}

	@Test
	void whenOkOnceThenOkIsStickyThroughReloadsAndFailures() {
		AsyncResult<String> result = AsyncResult.ok("v1");
		for (int i = 0; i < 3; i++) {
			result = result.toLoading();
			assertThat(result.ok()).isTrue();
			result = result.toFailed(FAILURE);
			assertThat(result.ok()).isTrue();
		}
		assertThat(result.result()).isEqualTo("v1");
	}

	@Test
	void whenProgressIsReportedThenOnlyProgressChanges() {
		AsyncResult<String> loading = AsyncResult.ok("v1").toLoading();
		assertThat(loading.withProgress(new Progress(1, 4))).isEqualTo(new AsyncResult<>(true, true, null, "v1", new Progress(1, 4)));
		assertThat(loading.withProgress(new Progress(1, 4)).toLoading().progress()).isNull();
		assertThat(loading.withProgress(new Progress(1, 4)).toFailed(FAILURE).progress()).isNull();
	}

	@Test
	void whenOutcomeIsNotOkThenItDescribesAFailureSafeToShow() {
		assertThat(AsyncResult.Failure.of(new Outcome.Failed<>("quota", "r1")))
			.isEqualTo(new AsyncResult.Failure(Outcome.Kind.FAILED, "failed", "r1", "quota"));
		assertThat(AsyncResult.Failure.of(new Outcome.Exit<>(new IllegalStateException("secret"), "r2")))
			.isEqualTo(new AsyncResult.Failure(Outcome.Kind.EXIT, "exit", "r2", null));
		assertThat(AsyncResult.Failure.of(new Outcome.Exit<>(new TaskTimeoutException("job", java.time.Duration.ofSeconds(1)), "r3")))
			.isEqualTo(new AsyncResult.Failure(Outcome.Kind.EXIT, "timeout", "r3", null));
		assertThat(AsyncResult.Failure.of(new Outcome.Exit<>(new java.util.concurrent.RejectedExecutionException("full"), "r4")))
			.isEqualTo(new AsyncResult.Failure(Outcome.Kind.EXIT, "rejected", "r4", null));
		assertThat(AsyncResult.Failure.of(new Outcome.Cancelled<>(CancelReason.REPLACED)))
			.isEqualTo(new AsyncResult.Failure(Outcome.Kind.CANCELLED, "cancelled", null, CancelReason.REPLACED));
		assertThat(AsyncResult.Failure.of(new Outcome.Cancelled<>(CancelReason.REQUESTED, "stale")))
			.isEqualTo(new AsyncResult.Failure(Outcome.Kind.CANCELLED, "cancelled", null, CancelReason.REQUESTED, "stale"));
	}

	@Test
	void whenOutcomeIsOkThenItIsNotAFailure() {
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncResult.Failure.of(new Outcome.Ok<>("fine")))
			.withMessageContaining("not a failure");
	}

	@Test
	void whenOutcomeKindIsShownThenItIsLowerCase() {
		assertThat(Outcome.Kind.CANCELLED.tag()).isEqualTo("cancelled");
		assertThat(CancelReason.VIEW_CLOSED.code()).isEqualTo("view-closed");
		assertThat(CancelReason.SESSION_ENDED.code()).isEqualTo("session-ended");
	}

}
