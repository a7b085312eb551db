package dev.strand.test;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration properties for Strand's test client.
 *
 * @param timeout Time a test tab waits for its view's tasks, its stream and its page events before it fails the
 * test; its requests wait as long for their response
 */
@ConfigurationProperties("strand.test")
public record StrandTestProperties(@DefaultValue("10s") Duration timeout) {

	static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	public StrandTestProperties {
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("strand.test.timeout must be positive, but was " + timeout);
		}
	}

}
