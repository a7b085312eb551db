package dev.strand.demo;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.AsyncResult;
import dev.strand.Outcome;
import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;

/** The organization page's assignAsync: loading, ok and failed, reload with and without reset, cancel and retry. */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class OrganizationAsyncTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenThePageOpensThenItShowsLoadingAndEachCardLoadsOnceConnected() {
		TestTab tab = this.strand.open("/organization");
		assertThat(tab.text("#org")).isEqualTo("Loading organization…");
		assertThat(tab.text("#rank")).isEqualTo("Loading rank…");
		tab.connect().awaitTasks();
		assertThat(tab.text("#org .name")).isEqualTo("Acme Corporation");
		assertThat(tab.text("#profile .name")).isEqualTo("Ada Lovelace");
		assertThat(tab.text("#rank .name")).startsWith("#");
		AsyncResult<Directory.Org> org = tab.asyncResult("org");
		assertThat(org.ok()).isTrue();
		assertThat(org.result().plan()).isEqualTo("Team plan");
	}

	@Test
	void whenReloadedWithoutResetThenThePreviousResultStaysUntilTheNewOneArrives() {
		TestTab tab = this.strand.open("/organization").connect().awaitTasks();
		String before = tab.text("#org .fetched");
		tab.post("/organization/org/reload", Map.of("latency", 500));
		assertThat(tab.text("#org .refreshing")).contains("Reloading…");
		assertThat(tab.text("#org .fetched")).isEqualTo(before);
		tab.awaitTask("org");
		assertThat(tab.count("#org .refreshing")).isZero();
		assertThat(tab.text("#org .fetched")).isNotEqualTo(before);
	}

	@Test
	void whenReloadedWithResetThenLoadingShowsInsteadOfThePreviousResult() {
		TestTab tab = this.strand.open("/organization").connect().awaitTasks();
		tab.post("/organization/org/reload", Map.of("latency", 500, "reset", true));
		assertThat(tab.text("#org")).isEqualTo("Loading organization…");
		assertThat(tab.count("#org .state.ok")).isZero();
		tab.awaitTask("org");
		assertThat(tab.text("#org .name")).isEqualTo("Acme Corporation");
	}

	@Test
	void whenCancelledAfterAResetThenTheCardSaysCancelled() {
		TestTab tab = this.strand.open("/organization").connect().awaitTasks();
		tab.post("/organization/org/reload", Map.of("latency", 10_000, "reset", true));
		tab.post("/organization/org/cancel").awaitTask("org");
		assertThat(tab.outcome("org").kind()).isEqualTo(Outcome.Kind.CANCELLED);
		assertThat(tab.text("#org .state.failed .reason")).startsWith("cancelled by you at "); // the reason Cancel gave
		assertThat(tab.attribute("#org-actions .danger", "disabled")).isNotNull();
	}

	@Test
	void whenTheProfileIsCancelledWithoutResetThenBothCardsKeepTheirResult() {
		TestTab tab = this.strand.open("/organization").connect().awaitTasks();
		String before = tab.text("#profile .fetched");
		tab.post("/organization/profile/reload", Map.of("latency", 10_000));
		assertThat(tab.runningTasks()).containsExactly("profile,rank");
		tab.post("/organization/profile/cancel").awaitTask("rank");
		assertThat(tab.text("#profile .note.warning .reason")).startsWith("cancelled by you at ");
		assertThat(tab.text("#profile .fetched")).isEqualTo(before);
		assertThat(tab.asyncResult("rank").failed().code()).isEqualTo("cancelled");
		assertThat(tab.asyncResult("rank").ok()).isTrue();
	}

	@Test
	void whenALoadFailsThenTheCardSaysWhyAndRetryLoadsIt() {
		TestTab tab = this.strand.open("/organization").connect().awaitTasks();
		tab.post("/organization/org/reload", Map.of("latency", 100, "failureRate", 100, "reset", true)).awaitTask("org");
		assertThat(tab.text("#org .state.failed .reason")).isEqualTo("the organization service is unavailable");
		tab.post("/organization/org/reload", Map.of("latency", 100, "failureRate", 0)).awaitTask("org");
		assertThat(tab.count("#org .state.failed")).isZero();
		assertThat(tab.text("#org .name")).isEqualTo("Acme Corporation");
	}

}
