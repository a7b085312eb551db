package dev.strand.demo;

import java.time.Duration;
import java.util.List;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.RequestOptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

import dev.strand.View;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Spring Security's CSRF protection on, strand.js sends the page's token with every page event, and logging
 * out stops the session's pages at once. Runs its own small application (Boot's Security auto-configuration, which
 * the test resources switch off for the other tests, and a filter chain that permits everything but keeps CSRF on),
 * not the demo, which has no Security. {@link CsrfPageEventTests} checks the answers to page events without a
 * browser.
 */
@SpringBootTest(classes = CsrfTests.SecuredApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = CsrfTests.SECURITY_ON)
class CsrfTests extends BrowserTest {

	/** Switches Spring Security's auto-configuration back on: the test resources exclude it for the demo's tests. */
	static final String SECURITY_ON = "spring.autoconfigure.exclude=";

	@Test
	void pageEventPostedByStrandJsCarriesTheTokenAndIsAccepted() {
		this.page.navigate(url("/csrf"));
		awaitConnected(this.page);
		assertThat(this.page.locator("meta[name=strand-csrf]")).hasAttribute("data-header", "X-CSRF-TOKEN");
		this.page.getByText("Increment").click();
		assertThat(this.page.locator("#count")).hasText("1");
		this.page.getByText("Increment").click();
		assertThat(this.page.locator("#count")).hasText("2");
		assertThat(this.browserLog).noneMatch((line) -> line.contains(" HTTP 403: "));
	}

	@Test
	void whenTheSessionLogsOutItsPagesStopAtOnceAndSaySo() {
		this.page.navigate(url("/csrf"));
		awaitConnected(this.page);
		Page other = this.context.newPage();
		other.navigate(url("/csrf"));
		awaitConnected(other);
		long start = System.nanoTime();
		// Spring Security's logout, posted as a form would be, with the page's CSRF token
		Object status = this.page.evaluate("async () => { const m = document.querySelector('meta[name=strand-csrf]');"
				+ " const r = await fetch('/logout', { method: 'POST', redirect: 'manual', headers: { [m.dataset.header]: m.content } });"
				+ " return r.status || r.type; }");
		assertThat(String.valueOf(status)).as("the logout's answer").isIn("302", "opaqueredirect");
		for (Page tab : List.of(this.page, other)) {
			assertThat(tab.locator(".strand-banner")).containsText("Your session has ended");
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("long before the reaper's 30 s")
			.isLessThan(Duration.ofSeconds(10));
		assertThat(this.page.locator("html")).hasClass(java.util.regex.Pattern.compile("\\bstrand-expired\\b"));
	}

	@Test
	void aPageEventAfterTheSessionLoggedOutFlashesAShortMessageNotTheResponse() {
		this.page.navigate(url("/csrf"));
		awaitConnected(this.page);
		assertThat(status(this.context.request().post(url("/logout"), RequestOptions.create()
			.setHeader("X-CSRF-TOKEN", this.page.locator("meta[name=strand-csrf]").getAttribute("content"))
			.setMaxRedirects(0)
			.setTimeout(5000)))).as("the logout, from outside the page").isEqualTo(302);
		this.page.getByText("Increment").click();
		assertThat(this.page.locator("#flash .strand-flash-error .strand-flash-text"))
			.hasText("That was refused: you may have been signed out. Reload the page to continue.");
		assertThat(this.page.locator("#count")).hasText("0");
		assertThat(this.browserLog).anyMatch((line) -> line.contains(" HTTP 403: "));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(CounterController.class)
	static class SecuredApplication {

		public static void main(String[] args) {
			SpringApplication.run(SecuredApplication.class, args);
		}

		@Bean
		SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http) {
			// Everyone may do anything, but CSRF protection stays on (it is on by default).
			return http.authorizeExchange((exchanges) -> exchanges.anyExchange().permitAll()).build();
		}

	}

	@Controller
	static class CounterController {

		@GetMapping("/csrf")
		String page(View view) {
			view.assign("count", 0);
			return "csrf";
		}

		@PostMapping("/csrf/increment")
		void increment(View view) {
			view.update("count", (Integer count) -> count + 1);
		}

	}

}
