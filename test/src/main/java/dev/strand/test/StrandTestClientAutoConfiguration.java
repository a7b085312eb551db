package dev.strand.test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.strand.internal.TabRegistry;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * {@link StrandTestClient}, in tests that have a {@link WebTestClient}: those with
 * {@link AutoConfigureStrandTestClient @AutoConfigureStrandTestClient} or {@code @AutoConfigureWebTestClient}, and
 * {@code @WebFluxTest} slices.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.webtestclient.autoconfigure.WebTestClientAutoConfiguration",
		"dev.strand.autoconfigure.StrandAutoConfiguration" })
@ConditionalOnClass(WebTestClient.class)
@ConditionalOnBean(WebTestClient.class)
@EnableConfigurationProperties(StrandTestProperties.class)
public final class StrandTestClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	StrandTestClient strandTestClient(WebTestClient client, ObjectProvider<TabRegistry> registry,
			StrandTestProperties properties) {
		return new StrandTestClient(client, registry::getIfAvailable, properties.timeout());
	}

}
