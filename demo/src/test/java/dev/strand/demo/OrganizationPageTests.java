package dev.strand.demo;

import java.util.regex.Pattern;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.Test;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** The organization page: assignAsync's loading, failed and ok states, reload, reset, cancel and retry. */
@DemoTest
class OrganizationPageTests extends BrowserTest {

	/** The reason the controller gives {@code cancelAsync}, which the failed result shows. */
	private static final Pattern CANCELLED_BY_YOU = Pattern.compile("cancelled by you at \\d\\d:\\d\\d:\\d\\d");

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

	@Test
	void failedPairLoadMarksProfileAndRankFailed() {
		openAndAwaitOk();
		card("profile-card").getByLabel("Failure rate").fill("100");
		card("profile-card").getByLabel("Latency").fill("100");
		cardButton("profile-card", "Reload with reset").click();
		assertThat(section("profile").locator(".state.failed")).containsText("the profile service is unavailable");
		assertThat(section("rank").locator(".state.failed")).containsText("the profile service is unavailable");
		assertThat(org().locator(".state.ok .name")).hasText("Acme Corporation");
	}

	@Test
	void reloadWithoutResetKeepsThePreviousResultWhileLoading() {
		openAndAwaitOk();
		String before = org().locator(".fetched").textContent();
		card("org-card").getByLabel("Latency").fill("4000");
		cardButton("org-card", "Reload").click();
		assertThat(org().locator(".refreshing")).isVisible();
		assertThat(org().locator(".state.loading")).hasCount(0);
		assertThat(org().locator(".fetched")).hasText(before);
		screenshot("organization-reloading");
		assertThat(org().locator(".refreshing")).hasCount(0);
		assertThat(org().locator(".fetched")).not().hasText(before);
	}

	@Test
	void reloadWithResetShowsLoadingInsteadOfThePreviousResult() {
		openAndAwaitOk();
		String before = org().locator(".fetched").textContent();
		card("org-card").getByLabel("Latency").fill("4000");
		cardButton("org-card", "Reload with reset").click();
		assertThat(org().locator(".state.loading")).isVisible();
		assertThat(org().locator(".state.ok")).hasCount(0);
		assertThat(org().locator(".fetched")).not().hasText(before);
		assertThat(org().locator(".state.ok .name")).hasText("Acme Corporation");
	}

	@Test
	void cancelAfterResetMarksTheResultFailedWithTheReasonTheControllerGave() {
		openAndAwaitOk();
		card("org-card").getByLabel("Latency").fill("10000");
		cardButton("org-card", "Reload with reset").click();
		assertThat(org().locator(".state.loading")).isVisible();
		cardButton("org-card", "Cancel").click();
		assertThat(org().locator(".state.failed .reason")).hasText(CANCELLED_BY_YOU);
		assertThat(cardButton("org-card", "Cancel")).isDisabled();
		screenshot("organization-cancelled");
	}

	@Test
	void cancelWithoutResetKeepsThePreviousResultAndSaysTheReloadWasCancelled() {
		openAndAwaitOk();
		String before = section("profile").locator(".fetched").textContent();
		card("profile-card").getByLabel("Latency").fill("10000");
		cardButton("profile-card", "Reload").click();
		assertThat(section("profile").locator(".refreshing")).isVisible();
		cardButton("profile-card", "Cancel").click();
		assertThat(section("profile").locator(".note.warning .reason")).hasText(CANCELLED_BY_YOU);
		assertThat(section("profile").locator(".fetched")).hasText(before);
		assertThat(section("rank").locator(".refreshing")).hasCount(0);
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
