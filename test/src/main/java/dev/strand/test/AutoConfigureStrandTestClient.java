package dev.strand.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.PropertyMapping;
import org.springframework.boot.test.context.PropertyMapping.Skip;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;

/**
 * Annotation on a test class that enables and configures a {@link StrandTestClient} bean, and the
 * {@link org.springframework.test.web.reactive.server.WebTestClient} it is built on: against the running server
 * of a {@code @SpringBootTest(webEnvironment = RANDOM_PORT)}, or bound to the application context otherwise.
 * A {@code @WebFluxTest} has one without this annotation, which then only sets its timeout.
 *
 * @see StrandTestClientAutoConfiguration
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@AutoConfigureWebTestClient
@ImportAutoConfiguration
@PropertyMapping("strand.test")
public @interface AutoConfigureStrandTestClient {

	/**
	 * The time a test tab waits for its view's tasks, its stream and its page events before it fails the test,
	 * such as {@code "30s"}; {@code strand.test.timeout}, 10 seconds unless set.
	 * @return the timeout
	 */
	@PropertyMapping(skip = Skip.ON_DEFAULT_VALUE)
	String timeout() default "";

}
