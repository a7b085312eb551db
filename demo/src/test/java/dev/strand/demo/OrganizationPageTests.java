package dev.strand.demo;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The organization page in a browser: the first render shows loading and strand.js patches in each result; a
 * card's form posts what the user typed and which button submitted it. {@link OrganizationAsyncTests} covers
 * reload, reset, cancel and retry without a browser.
 */
@DemoTest
class OrganizationPageTests extends BrowserTest {

	/** The reason the controller gives {@code cancelAsync}, which the failed result shows. */

	@Test
	void pageRendersLoadingAtOnceThenEachResultWhenItArrives() {
		Response response = this.page.navigate(url("/organization"));
		assertThat(response.text()).as("the first render").contains("Loading organization…", "Loading profile…",
				"Loading rank…");
		assertThat(org().locator(".state.loading")).isVisible();
		assertThat(org().locator(".state.ok .name")).hasText("Acme Corporation");
		assertThat(section("profile").locator(".state.ok .name")).hasText("Ada Lovelace");
		assertThat(section("rank").locator(".state.ok .name")).containsText("#");
		assertThat(this.page.locator(".state.loading")).hasCount(0);
		screenshot("organization-ok", "demo-organization");
	}

	@Test
	void failedLoadShowsTheFailedStateAndRetryLoadsIt() {
		openAndAwaitOk();
		card("org-card").getByLabel("Failure rate").fill("100");
		card("org-card").getByLabel("Latency").fill("200");
		cardButton("org-card", "Reload with reset").click();
		assertThat(org().locator(".state.failed")).containsText("the organization service is unavailable");
		assertThat(org().locator(".state.ok")).hasCount(0);
		screenshot("organization-failed");
		card("org-card").getByLabel("Failure rate").fill("0");
		cardButton("org-card", "Retry").click();
		assertThat(org().locator(".state.ok .name")).hasText("Acme Corporation");
		assertThat(org().locator(".state.failed")).hasCount(0);
	}

	private void openAndAwaitOk() {
		this.page.navigate(url("/organization"));
		assertThat(org().locator(".state.ok")).isVisible();
		assertThat(section("profile").locator(".state.ok")).isVisible();
		assertThat(section("rank").locator(".state.ok")).isVisible();
	}

	private Locator org() {
		return section("org");
	}

	private Locator section(String id) {
		return this.page.locator("#" + id);
	}

	private Locator card(String id) {
		return this.page.locator("#" + id);
	}

	private Locator cardButton(String card, String name) {
		return card(card).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(name).setExact(true));
	}

}
