package dev.strand.web;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.strand.cluster.TestRedis;

/**
 * {@link KeepAliveTests} in the shared mode, where a page's session is read from and saved to Redis: its
 * responses then end on Redis's threads rather than on the connection's event loop, and the browser's next
 * requests on the same connection must still be answered.
 */
class SharedModeKeepAliveTests {

	static TestRedis redis;

	static ConfigurableApplicationContext server;

	@BeforeAll
	static void start() {
		redis = TestRedis.start();
		Map<String, Object> properties = new HashMap<>(redis.properties());
		properties.putAll(Map.of("server.port", "0", "strand.cluster.mode", "redis", "strand.stream.heartbeat", "1h",
				"spring.main.banner-mode", "off"));
		server = new SpringApplicationBuilder(PageTestApp.class).properties(properties).run();
	}

	@AfterAll
	static void stop() {
		if (server != null) {
			server.close();
		}
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void whenRequestsFollowAPageAndItsEventsOnTheSameConnectionThenEachIsAnswered() throws IOException {
		KeepAliveTests.pagesAndTheirRequestsAreAnswered(
				Integer.parseInt(server.getEnvironment().getProperty("local.server.port")));
	}

}
