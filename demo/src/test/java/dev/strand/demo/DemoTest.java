package dev.strand.demo;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;

/**
 * Runs the demo application on a random port, as it ships, for the browser tests.
 *
 * <p>The disconnect grace is set here because the browser tests depend on it: short, so that a closed tab's tasks
 * end quickly, yet longer than Chromium's EventSource waits before it reconnects a dropped stream (about 3 s).
 * Spring Security, on the test classpath for the CSRF tests only, is switched off for every test by
 * {@code config/application.properties} in the test resources.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "strand.views.disconnect-grace=" + DemoTest.GRACE_SECONDS + "s")
@interface DemoTest {

	/** The disconnect grace the tests run with, in seconds. */
	int GRACE_SECONDS = 5;

}
