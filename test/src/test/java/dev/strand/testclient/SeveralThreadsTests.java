package dev.strand.testclient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(classes = EdgeApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class SeveralThreadsTests {

	@Autowired
	StrandTestClient strand;

	/** Several users at once: each tab driven by a thread of its own. */
	@Test
	void whenTabsAreDrivenFromSeveralThreadsThenEachSeesItsOwnChanges() throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			List<Future<String>> results = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				int user = t;
				results.add(threads.submit(() -> {
					TestTab tab = this.strand.open("/edge").connect();
					for (int n = 1; n <= 15; n++) {
						tab.post("/edge/title", Map.of("title", "user " + user + " #" + n));
						assertThat(tab.text("#title")).isEqualTo("user " + user + " #" + n);
						if (n % 5 == 0) {
							tab.reconnect();
						}
					}
					tab.post("/edge/start").awaitTask("job");
					return tab.text("#status");
				}));
			}
			for (Future<String> result : results) {
				assertThat(result.get()).isEqualTo("done");
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

}
