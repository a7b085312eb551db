package dev.strand.web;

import org.junit.jupiter.api.Test;

import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.TaskName;
import dev.strand.View;
import dev.strand.internal.Callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** How {@link CallbackMethods} finds and checks a controller's callbacks as its beans are created. */
class CallbackMethodsTests {

	private final CallbackMethods methods = new CallbackMethods();

	@Test
	void whenAControllerHasCallbacksThenItsBeanAndTypeFindThem() {
		Controller controller = new Controller();
		this.methods.postProcessAfterInitialization(controller, "controller");
		for (Object key : new Object[] { controller, "controller", Controller.class }) {
			Callbacks callbacks = this.methods.forBean(key);
			assertThat(callbacks.handlesAsync("load")).as("by %s", key).isTrue();
			assertThat(callbacks.handlesChunk("load")).as("by %s", key).isTrue();
			assertThat(callbacks.handlesAsync("worker-7")).as("by %s", key).isTrue();
			assertThat(callbacks.pattern("worker-7")).isEqualTo("worker-*");
			assertThat(callbacks.handlesAsync("other")).isFalse();
		}
	}

	@Test
	void whenABeanHasNoCallbacksThenItHandlesNothing() {
		this.methods.postProcessAfterInitialization(new Object(), "plain");
		assertThat(this.methods.forBean("plain").handlesAsync("load")).isFalse();
		assertThat(this.methods.forBean(Object.class).handlesAsync("load")).isFalse();
	}

	@Test
	void whenBeansOfOneTypeAreCreatedOverAndOverThenTheTypeIsSearchedOnce() {
		// Thymeleaf's reactive view resolver creates and initialises a view bean for every page it renders
		for (int i = 0; i < 100; i++) {
			this.methods.postProcessAfterInitialization(new Object(), "view-" + i);
			this.methods.postProcessAfterInitialization(new Controller(), "controller-" + i);
		}
		assertThat(this.methods.typesSearched()).isEqualTo(2);
		assertThat(this.methods.forBean("controller-99").handlesAsync("load")).isTrue();
	}

	@Test
	void whenTheSecondBeanOfAControllerTypeIsCreatedThenItsTypeAndNameCallIt() {
		Controller first = new Controller();
		Controller second = new Controller();
		this.methods.postProcessAfterInitialization(first, "first");
		this.methods.postProcessAfterInitialization(second, "second");
		assertThat(((ControllerCallbacks) this.methods.forBean("first")).bean()).isSameAs(first);
		assertThat(((ControllerCallbacks) this.methods.forBean("second")).bean()).isSameAs(second);
		assertThat(((ControllerCallbacks) this.methods.forBean(Controller.class)).bean()).isSameAs(second);
	}

	@Test
	void whenACallbackHasAWrongSignatureThenTheBeanIsRefusedNamingTheMethod() {
		assertRefused(new ReturnsValue(), "ReturnsValue.done", "returns String");
		assertRefused(new TwoOutcomes(), "TwoOutcomes.done", "expected an Outcome<T>");
		assertRefused(new BlankName(), "BlankName.done", "needs a task name");
		assertRefused(new StarInTheMiddle(), "StarInTheMiddle.done", "one '*' at its end");
		assertRefused(new Twice(), "Twice", "Two @HandleAsync(\"job\") methods");
		assertRefused(new ChunkAlone(), "ChunkAlone.chunk", "has no @HandleAsync(\"job\")");
	}

	@Test
	void whenARefusedTypeIsCreatedAgainThenItIsRefusedAgain() {
		assertRefused(new ReturnsValue(), "ReturnsValue.done", "returns String");
		assertRefused(new ReturnsValue(), "ReturnsValue.done", "returns String");
	}

	private void assertRefused(Object bean, String method, String reason) {
		assertThatIllegalStateException().isThrownBy(() -> this.methods.postProcessAfterInitialization(bean, "bean"))
			.withMessageContaining(method)
			.withMessageContaining(reason);
	}

	static class Controller {

		@HandleAsync("load")
		void loaded(Outcome<String> outcome, View view) {
		}

		@HandleChunk("load")
		void chunk(String chunk, View view) {
		}

		@HandleAsync("worker-*")
		void worked(Outcome<String> outcome, @TaskName String name) {
		}

	}

	static class ReturnsValue {

		@HandleAsync("job")
		String done(Outcome<String> outcome) {
			return "";
		}

	}

	static class TwoOutcomes {

		@HandleAsync("job")
		void done(Outcome<String> outcome, Outcome<String> again) {
		}

	}

	static class BlankName {

		@HandleAsync(" ")
		void done(Outcome<String> outcome) {
		}

	}

	static class StarInTheMiddle {

		@HandleAsync("a*b")
		void done(Outcome<String> outcome) {
		}

	}

	static class Twice {

		@HandleAsync("job")
		void done(Outcome<String> outcome) {
		}

		@HandleAsync("job")
		void doneAgain(Outcome<String> outcome) {
		}

	}

	static class ChunkAlone {

		@HandleAsync("other")
		void done(Outcome<String> outcome) {
		}

		@HandleChunk("job")
		void chunk(String chunk) {
		}

	}

}
