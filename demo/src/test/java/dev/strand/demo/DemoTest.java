package dev.strand.demo;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;

/**
 * Runs the demo application on a random port, as it ships.
 *
 * <p>The test classpath also holds {@code spring-boot-starter-security}, for {@link CsrfTests} only. Its
 * auto-configuration is excluded here, so that these tests see the demo exactly as {@code spring-boot:run}
 * does (no login page, no CSRF), while {@code CsrfTests} runs its own small application with Security on.
 * The disconnect grace is set here because the tests depend on it: short, so that a closed tab's tasks end
 * quickly, yet longer than Chromium's EventSource waits before it reconnects a dropped stream (about 3 s).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "strand.views.disconnect-grace=" + DemoTest.GRACE_SECONDS + "s",
				"spring.autoconfigure.exclude="
						+ "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
						+ "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration,"
						+ "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration,"
						+ "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration" })
@interface DemoTest {

	/** The disconnect grace the tests run with, in seconds. */
	int GRACE_SECONDS = 5;

}
