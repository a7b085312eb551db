package dev.strand.test;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.test.context.TestExecutionListener;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** When the test client is configured, and when it backs off. */
class StrandTestClientAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(StrandTestClientAutoConfiguration.class));

	@Test
	void whenATestHasAWebTestClientThenItHasAStrandTestClientWithTheDefaultTimeout() {
		this.runner.withUserConfiguration(WebTestClientConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(StrandTestClient.class);
			assertThat(context.getBean(StrandTestClient.class).timeout()).isEqualTo(Duration.ofSeconds(10));
		});
	}

	@Test
	void whenTheTimeoutIsSetThenTheClientWaitsThatLong() {
		this.runner.withUserConfiguration(WebTestClientConfiguration.class)
			.withPropertyValues("strand.test.timeout=45s")
			.run((context) -> assertThat(context.getBean(StrandTestClient.class).timeout()).isEqualTo(Duration.ofSeconds(45)));
	}

	@Test
	void whenTheTimeoutIsNotPositiveThenTheContextFailsNamingTheProperty() {
		this.runner.withUserConfiguration(WebTestClientConfiguration.class)
			.withPropertyValues("strand.test.timeout=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure().rootCause().hasMessageContaining("strand.test.timeout must be positive"));
	}

	@Test
	void whenThereIsNoWebTestClientThenThereIsNoStrandTestClient() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(StrandTestClient.class));
	}

	@Test
	void whenSpringTestIsMissingThenTheAutoConfigurationBacksOff() {
		this.runner.withUserConfiguration(WebTestClientConfiguration.class)
			.withClassLoader(new FilteredClassLoader(WebTestClient.class))
			.run((context) -> assertThat(context).doesNotHaveBean(StrandTestClient.class));
	}

	@Test
	void whenUserDefinesAStrandTestClientThenItIsUsed() {
		this.runner.withUserConfiguration(WebTestClientConfiguration.class, UserClientConfiguration.class)
			.run((context) -> assertThat(context).getBean(StrandTestClient.class)
				.isSameAs(context.getBean(UserClientConfiguration.class).client));
	}

	@Test
	void whenTestsRunThenTheListenerThatClosesTabsIsRegistered() {
		// some of Spring's own need a servlet API, which is not there: skip those
		List<TestExecutionListener> listeners = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(TestExecutionListener.class, SpringFactoriesLoader.FailureHandler.handleMessage((message, ex) -> {
			}));
		assertThat(listeners).hasAtLeastOneElementOfType(StrandTestExecutionListener.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class WebTestClientConfiguration {

		@Bean
		WebTestClient webTestClient() {
			return WebTestClient.bindToServer().baseUrl("http://localhost:1").build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserClientConfiguration {

		final StrandTestClient client = StrandTestClient.create(WebTestClient.bindToServer().baseUrl("http://localhost:1").build(), null)
			.withTimeout(Duration.ofSeconds(3));

		@Bean
		StrandTestClient myStrandTestClient() {
			return this.client;
		}

	}

}
