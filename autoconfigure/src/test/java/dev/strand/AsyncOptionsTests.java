package dev.strand;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@link AsyncOptions}, {@link Progress} and {@link TaskFailedException} refuse bad input clearly. */
class AsyncOptionsTests {

	@Test
	void whenDefaultThenNothingIsResetAndTheConfiguredTimeoutApplies() {
		AsyncOptions defaults = AsyncOptions.defaults();
		assertThat(defaults.resets("org")).isFalse();
		assertThat(defaults.timeout()).isNull();
	}

	@Test
	void whenResetThenEveryKeyIsReset() {
		assertThat(AsyncOptions.reset().resets("org")).isTrue();
		assertThat(AsyncOptions.reset().resets("anything")).isTrue();
	}

	@Test
	void whenSomeKeysAreResetThenOnlyThoseAre() {
		AsyncOptions options = AsyncOptions.reset("x");
		assertThat(options.resets("x")).isTrue();
		assertThat(options.resets("y")).isFalse();
		assertThat(options.resetKeys()).isEqualTo(Set.of("x"));
	}

	@Test
	void whenTimeoutIsAddedThenResetIsKept() {
		AsyncOptions options = AsyncOptions.reset("x").withTimeout(Duration.ofSeconds(5));
		assertThat(options.resets("x")).isTrue();
		assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(AsyncOptions.timeout(Duration.ofSeconds(5)).withReset().resets("y")).isTrue();
		assertThat(AsyncOptions.timeout(Duration.ofSeconds(5)).withReset().timeout()).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void whenTimeoutIsZeroOrNegativeThenItIsRefusedWithAClearMessage() {
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncOptions.timeout(Duration.ZERO))
			.withMessage("A task timeout must be positive, but got PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncOptions.reset().withTimeout(Duration.ofSeconds(-1)))
			.withMessage("A task timeout must be positive, but got PT-1S");
	}

	@Test
	void whenAnExecutorIsChosenThenResetAndTimeoutAreKeptAndTheLastChoiceWins() {
		Executor executor = Runnable::run;
		AsyncOptions byName = AsyncOptions.executor("reports").withReset("x").withTimeout(Duration.ofSeconds(5));
		assertThat(byName.executorName()).isEqualTo("reports");
		assertThat(byName.executor()).isNull();
		assertThat(byName.resets("x")).isTrue();
		assertThat(byName.timeout()).isEqualTo(Duration.ofSeconds(5));
		AsyncOptions byInstance = byName.withExecutor(executor);
		assertThat(byInstance.executor()).isSameAs(executor);
		assertThat(byInstance.executorName()).isNull();
		assertThat(AsyncOptions.reset().withExecutor("reports").resets("y")).isTrue();
		assertThat(AsyncOptions.defaults().executorName()).isNull();
		assertThat(AsyncOptions.defaults().executor()).isNull();
	}

	@Test
	void whenAnExecutorIsBlankOrChosenTwiceThenItIsRefusedWithAClearMessage() {
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncOptions.executor(" "))
			.withMessage("An executor's bean name must not be blank, but was ' '");
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncOptions.executor((String) null))
			.withMessage("An executor's bean name must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncOptions.executor((Executor) null))
			.withMessage("An executor must not be null");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new AsyncOptions(false, Set.of(), null, "reports", Runnable::run))
			.withMessageStartingWith("Choose an executor by its bean name ('reports') or pass one (");
	}

	@Test
	void whenProgressIsNegativeThenItIsRefusedWithAClearMessage() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Progress(-1, 10))
			.withMessage("Progress must not be negative, but got done=-1 and total=10");
		assertThatIllegalArgumentException().isThrownBy(() -> new Progress(1, -10))
			.withMessage("Progress must not be negative, but got done=1 and total=-10");
	}

	@Test
	void whenProgressIsReportedThenItsFractionIsBetweenZeroAndOne() {
		assertThat(new Progress(1, 4).fraction()).isEqualTo(0.25);
		assertThat(new Progress(1, 3).percent()).isEqualTo(33);
		assertThat(new Progress(5, 0).fraction()).isZero(); // total unknown
		assertThat(new Progress(7, 5).fraction()).isEqualTo(1.0); // past an estimated total
		assertThat(new Progress(7, 5).percent()).isEqualTo(100);
	}

	@Test
	void whenFailureReasonIsNullThenItIsRefusedWithAClearMessage() {
		assertThatIllegalArgumentException().isThrownBy(() -> TaskFailedException.of(null))
			.withMessage("A failure reason must not be null");
		assertThat(TaskFailedException.of("quota").getReason()).isEqualTo("quota");
	}

}
