package dev.strand.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.session.ReactiveMapSessionRepository;
import org.springframework.session.config.annotation.web.server.EnableSpringWebSession;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Spring Session, a connected tab keeps its session alive in the session store itself, not only in the
 * copy of the session its page opened with (Spring Session's store keeps the last access time in memory until
 * a save).
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "strand.views.session-check-interval=200ms")
@AutoConfigureWebTestClient
@Import(SessionStoreTests.SpringSession.class)
class SessionStoreTests {

	@Autowired
	WebTestClient client;

	@Autowired
	ReactiveMapSessionRepository sessions;

	@Test
	void whenATabStaysConnectedThenItsSessionOutlivesItsMaxInactiveIntervalInTheStore() throws InterruptedException {
		Pages.Page page = Pages.open(this.client, "/import");
		Disposable stream = page.stream(page.lastEventId()).subscribe();
		try {
			Thread.sleep(3000); // three times the session's max inactive interval, with no request but the stream
			assertThat(this.sessions.findById(page.session()).blockOptional(Duration.ofSeconds(5)))
				.as("the session in the store").isPresent();
			page.post("/import/title?title=still+here").expectStatus().isOk();
		}
		finally {
			stream.dispose();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableSpringWebSession
	static class SpringSession {

		@Bean
		ReactiveMapSessionRepository reactiveSessionRepository() {
			ReactiveMapSessionRepository repository = new ReactiveMapSessionRepository(new java.util.concurrent.ConcurrentHashMap<>());
			repository.setDefaultMaxInactiveInterval(Duration.ofSeconds(1));
			return repository;
		}

	}

}
