package dev.strand.test;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;

import dev.strand.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a {@code @WebFluxTest} slice, Strand is configured and the test client drives the controller's page through
 * the mock server, stream included, without a running server.
 */
@WebFluxTest(controllers = BoardApp.BoardController.class)
@Import(BoardApp.Outcomes.class)
class WebFluxSliceTests {

	@Autowired
	StrandTestClient strand;

	@Test
	void whenAControllerIsTestedInASliceThenItsPageConnectsRunsItsTasksAndIsPatched() {
		TestTab tab = this.strand.open("/board").connect().awaitTask("org");
		assertThat(tab.text("#org")).isEqualTo("Acme");
		tab.post("/board/start", Map.of("count", 2)).awaitTask("job");
		assertThat(tab.texts("#log .strand-chunk")).containsExactly("chunk 1", "chunk 2");
		assertThat(tab.outcome("job").kind()).isEqualTo(Outcome.Kind.OK);
		assertThat(tab.text("#flash")).contains("Job: ok");
	}

	@Test
	void whenASliceTabDisconnectsThenItsViewNoticesAndAReconnectResumesIt() {
		TestTab tab = this.strand.open("/board").connect();
		tab.post("/board/start", Map.of("count", 6, "pause", 30));
		tab.disconnect();
		assertThat(tab.isConnected()).isFalse();
		tab.reconnect().awaitTasks();
		assertThat(tab.chunks("job")).hasSize(6).doesNotHaveDuplicates();
		tab.disconnect().expire();
		assertThat(tab.isClosed()).isTrue();
	}

}
