package dev.strand.autoconfigure;

import java.time.Duration;

import io.lettuce.core.ClientOptions;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.config.ReactiveSessionRepositoryCustomizer;
import org.springframework.session.data.redis.ReactiveRedisSessionRepository;
import org.springframework.session.data.redis.config.annotation.web.server.EnableRedisWebSession;

import dev.strand.cluster.LettuceReadResumer;
import dev.strand.cluster.PageEventForwarding;
import dev.strand.cluster.RedisCluster;
import dev.strand.cluster.RedisTabRegistry;
import dev.strand.internal.StrandEngine;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for Strand's shared
 * mode, {@code strand.cluster.mode=redis}: several servers behind one load balancer, with no sticky sessions,
 * sharing views and sessions through the Redis that {@code spring.data.redis.*} configures. It needs Spring Data
 * Redis's reactive support ({@code spring-boot-starter-data-redis-reactive}) and Spring Session Data Redis
 * ({@code spring-session-data-redis}) on the classpath, and says so at startup if either is missing.
 */
@AutoConfiguration(before = StrandAutoConfiguration.class,
		beforeName = "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration",
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnProperty(name = "strand.cluster.mode", havingValue = "redis")
@EnableConfigurationProperties(StrandProperties.class)
public final class StrandClusterAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.data.redis.core.ReactiveStringRedisTemplate",
			"org.springframework.session.data.redis.ReactiveRedisSessionRepository", "io.lettuce.core.RedisClient" })
	static class RedisConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RedisCluster strandCluster(ReactiveRedisConnectionFactory connections, StrandProperties properties) {
			return new RedisCluster(connections, new ReactiveStringRedisTemplate(connections),
					properties.cluster().nodeTimeout(), properties.cluster().requestTimeout());
		}

		@Bean
		@ConditionalOnMissingBean
		RedisTabRegistry strandTabRegistry(StrandEngine engine, RedisCluster cluster,
				ReactiveRedisConnectionFactory connections) {
			return new RedisTabRegistry(engine, cluster, connections);
		}

		/**
		 * While Redis cannot be reached, a command fails at once instead of waiting in Lettuce's queue for the
		 * command timeout: a page event then gets its {@code 503} at once, and nothing piles up.
		 */
		@Bean
		LettuceClientOptionsBuilderCustomizer strandRejectWhileDisconnected() {
			return (options) -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
		}

		/**
		 * The connections of Boot's Lettuce client resources read on after a pause for a reactive subscriber's
		 * demand, which can otherwise last forever ({@link LettuceReadResumer}). Applied first, so that an app's
		 * own {@code ClientResourcesBuilderCustomizer} that sets a {@code NettyCustomizer} replaces it rather than
		 * being replaced; such an app should call the resumer from its customizer. An app's own
		 * {@code ClientResources} bean gets no customizer from Boot.
		 */
		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		ClientResourcesBuilderCustomizer strandResumeLettuceReads() {
			return (resources) -> resources.nettyCustomizer(new LettuceReadResumer());
		}

		@Bean
		@ConditionalOnMissingBean
		PageEventForwarding strandPageEventForwarding(RedisTabRegistry registry, RedisCluster cluster,
				Environment environment) {
			return new PageEventForwarding(registry, cluster, () -> self(environment), 1024 * 1024);
		}

		/** Where this server answers HTTP, for page events forwarded to it: loopback unless bound elsewhere. */
		private static String self(Environment environment) {
			String address = environment.getProperty("server.address", "");
			if (address.isEmpty() || address.equals("0.0.0.0") || address.equals("::")) {
				address = "127.0.0.1";
			}
			String host = address.contains(":") ? "[" + address + "]" : address;
			String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
			return "http://" + host + ":" + port;
		}

	}

	/**
	 * Sessions in Redis, so that any server knows a page's session. Boot's own configuration of Spring Session
	 * is used instead when the app has it (a {@link ReactiveSessionRepository} bean).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.session.data.redis.ReactiveRedisSessionRepository",
			"org.springframework.data.redis.core.ReactiveStringRedisTemplate" })
	@ConditionalOnMissingBean(ReactiveSessionRepository.class)
	@Import(RedisSessions.class)
	static class SessionConfiguration {

	}

	@EnableRedisWebSession
	static class RedisSessions {

		/** The session timeout that Boot's {@code server.reactive.session.timeout} sets, 30 minutes by default. */
		@Bean
		ReactiveSessionRepositoryCustomizer<ReactiveRedisSessionRepository> strandSessionTimeout(Environment environment) {
			Duration timeout = Binder.get(environment)
				.bind("server.reactive.session.timeout", Duration.class)
				.orElse(Duration.ofMinutes(30));
			return (repository) -> repository.setDefaultMaxInactiveInterval(timeout);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(LibrariesMissing.class)
	static class MissingLibraries {

		MissingLibraries() {
			throw new IllegalStateException("strand.cluster.mode=redis needs Spring Data Redis with Lettuce and Spring "
					+ "Session Data Redis on the classpath: add org.springframework.boot:spring-boot-starter-data-redis-reactive "
					+ "and org.springframework.session:spring-session-data-redis");
		}

	}

	/** Matches when any of the libraries the shared mode needs is missing. */
	static final class LibrariesMissing extends NoneNestedConditions {

		LibrariesMissing() {
			super(ConfigurationPhase.PARSE_CONFIGURATION);
		}

		@ConditionalOnClass(name = { "org.springframework.data.redis.core.ReactiveStringRedisTemplate",
				"org.springframework.session.data.redis.ReactiveRedisSessionRepository", "io.lettuce.core.RedisClient" })
		static final class Present {

		}

	}

}
