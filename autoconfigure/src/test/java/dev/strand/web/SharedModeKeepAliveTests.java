package dev.strand.web;

import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.strand.cluster.TestRedis;

/**
 * {@link KeepAliveTests} in the shared mode, where a page's session is read from and saved to Redis: its
 * responses then complete on Redis's threads rather than on the connection's event loop, and the browser's next
 * request on the same connection must still be answered.
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.stream.heartbeat=1h", "strand.cluster.mode=redis", "spring.main.banner-mode=off" })
class SharedModeKeepAliveTests extends KeepAliveTests {

	static final TestRedis redis = TestRedis.start();

	@DynamicPropertySource
	static void redis(DynamicPropertyRegistry registry) {
		redis.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

}
