package dev.strand.autoconfigure;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.data.redis.ReactiveRedisSessionRepository;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.WebSessionManager;

import dev.strand.cluster.LettuceReadResumer;
import dev.strand.cluster.PageEventForwarding;
import dev.strand.cluster.RedisCluster;
import dev.strand.cluster.RedisTabRegistry;
import dev.strand.cluster.TestRedis;
import dev.strand.internal.MemoryTabRegistry;
import dev.strand.internal.TabRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests for {@link StrandClusterAutoConfiguration}. */
class StrandClusterAutoConfigurationTests {

	static TestRedis redis;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(StrandClusterAutoConfiguration.class, StrandAutoConfiguration.class,
				WebFluxAutoConfiguration.class, ThymeleafAutoConfiguration.class, DataRedisAutoConfiguration.class,
				DataRedisReactiveAutoConfiguration.class));

	@BeforeAll
	static void startRedis() {
		redis = TestRedis.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	private ReactiveWebApplicationContextRunner shared() {
		return this.contextRunner.withPropertyValues("strand.cluster.mode=redis",
				"spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port());
	}

	@Test
	void whenNoModeIsSetThenViewsLiveInMemoryAndRedisIsNotUsed() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).getBean(TabRegistry.class).isInstanceOf(MemoryTabRegistry.class);
			assertThat(context).doesNotHaveBean(RedisCluster.class).doesNotHaveBean(ReactiveSessionRepository.class);
		});
	}

	@Test
	void whenTheModeIsRedisThenViewsAndSessionsAreSharedThroughRedis() {
		shared().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).getBean(TabRegistry.class).isInstanceOf(RedisTabRegistry.class);
			assertThat(context).hasSingleBean(RedisCluster.class).hasSingleBean(PageEventForwarding.class);
			assertThat(context).getBean(ReactiveSessionRepository.class).isInstanceOf(ReactiveRedisSessionRepository.class);
			assertThat(context.getBean(WebSessionManager.class)).isInstanceOf(DefaultWebSessionManager.class);
		});
	}

	@Test
	void whenTheSessionTimeoutIsSetThenRedisSessionsUseIt() {
		shared().withPropertyValues("server.reactive.session.timeout=7m").run((context) -> {
			ReactiveSessionRepository<? extends Session> sessions = context.getBean(ReactiveRedisSessionRepository.class);
			Session session = sessions.createSession().block(Duration.ofSeconds(5));
			assertThat(session.getMaxInactiveInterval())
				.isEqualTo(Duration.ofMinutes(7));
		});
	}

	@Test
	void whenTheModeIsRedisButSpringSessionIsMissingThenStartupSaysWhatToAdd() {
		shared().withClassLoader(new FilteredClassLoader(ReactiveRedisSessionRepository.class)).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("strand.cluster.mode=redis needs")
				.hasMessageContaining("spring-session-data-redis");
		});
	}

	@Test
	void whenTheModeIsMisspeltThenStartupNamesTheValidModes() {
		this.contextRunner.withPropertyValues("strand.cluster.mode=reddis").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("reddis");
		});
	}

	@Test
	void whenTheNodeTimeoutIsTooShortThenStartupSaysSo() {
		shared().withPropertyValues("strand.cluster.node-timeout=10ms").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("strand.cluster.node-timeout must be at least 100ms");
		});
	}

	@Test
	void whenTheModeIsRedisThenLettucesConnectionsResumeTheirReads() {
		shared().run((context) -> assertThat(context.getBean(ClientResources.class).nettyCustomizer())
			.isInstanceOf(LettuceReadResumer.class));
	}

	@Test
	void whenTheAppSetsItsOwnNettyCustomizerThenItIsNotReplaced() {
		NettyCustomizer own = new NettyCustomizer() {
		};
		shared().withBean(ClientResourcesBuilderCustomizer.class, () -> (builder) -> builder.nettyCustomizer(own))
			.run((context) -> assertThat(context.getBean(ClientResources.class).nettyCustomizer()).isSameAs(own));
	}

	/**
	 * Lettuce pauses a connection's reads while a reactive command's subscriber has no demand, and a demand that
	 * comes just as it pauses can be missed (redis/lettuce#3232): the connection then never reads again, and
	 * every command on it, sessions and heartbeats with them, waits forever. Readers that take a large hash's
	 * entries on other threads ({@code publishOn}), so that their demand reaches Lettuce in small batches from
	 * there while it decodes, make that race happen in the first round when nothing resumes the reads.
	 */
	@Test
	void whenReactiveReadsRaceTheirDemandThenTheSharedRedisConnectionKeepsReading() {
		shared().run((context) -> {
			ReactiveStringRedisTemplate redis = context.getBean(ReactiveStringRedisTemplate.class);
			Map<String, String> fields = new HashMap<>();
			for (int i = 0; i < 3000; i++) {
				fields.put("field" + i, "value" + "x".repeat(i % 50));
			}
			redis.opsForHash().putAll("strand-test:hash", fields).block(Duration.ofSeconds(5));
			for (int round = 0; round < 20; round++) {
				List<Long> counts = Flux.range(0, 16)
					.flatMap((reader) -> redis.opsForHash()
						.entries("strand-test:hash")
						.publishOn(Schedulers.parallel(), 1)
						.count())
					.collectList()
					.block(Duration.ofSeconds(10));
				assertThat(counts).as("round %d", round).hasSize(16).containsOnly(3000L);
			}
			redis.delete("strand-test:hash").block(Duration.ofSeconds(5));
		});
	}

}
