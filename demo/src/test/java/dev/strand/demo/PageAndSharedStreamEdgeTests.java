package dev.strand.demo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.strand.View;
import dev.strand.internal.TabRegistry;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Edges of strand.js found by a review: a stream shared by tabs when the session ends or a tab dies without
 * pagehide, a page event that redirects or navigates, and controls inside an element that posts.
 */
@DemoTest
@Import(PageAndSharedStreamEdgeTests.EdgeController.class)
class PageAndSharedStreamEdgeTests extends BrowserTest {

	@BeforeEach
	void reset() {
		EdgeController.saves.set(0);
		EdgeController.cards.set(0);
	}

	/**
	 * README: when the session ends the page does not remount, it stops and says so. With two tabs sharing one
	 * stream, every tab must say so, not only the tab that holds the stream.
	 */
	@Test
	void whenTheSessionEndsThenEveryTabSharingTheStreamSaysSo() {
		Page second = this.context.newPage();
		this.page.navigate(url("/shared-edge"));
		awaitConnected(this.page);
		second.navigate(url("/shared-edge"));
		awaitConnected(second);
		for (Page tab : List.of(this.page, second)) {
			tab.evaluate("() => document.addEventListener('strand:remounted', () => { window.__remounted = true; })");
		}
		assertThat(status(this.context.request().post(url("/shared-edge/logout")))).isEqualTo(200);
		for (Page tab : List.of(this.page, second)) {
			assertThat(tab.locator(".strand-banner")).containsText("Your session has ended");
		}
		this.page.waitForTimeout(1500);
		for (Page tab : List.of(this.page, second)) {
			assertThat(tab.evaluate("() => window.__remounted === true")).as("remounted").isEqualTo(false);
		}
	}

	/**
	 * A page event whose handler redirects: its control must stay busy until the browser has left, or a second
	 * click while the next page loads posts the event again.
	 */
	@Test
	void whenAPageEventRedirectsThenItsButtonStaysBusyWhileTheNextPageLoads() {
		this.page.navigate(url("/shared-edge"));
		awaitConnected(this.page);
		// a click, and another once its response is in while the next page loads (it takes 3 s)
		this.page.evaluate("() => { document.getElementById('save').click();"
				+ " setTimeout(() => document.getElementById('save').click(), 800); }");
		assertThat(this.page.locator("#arrived")).hasText("Arrived from slow", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(15_000));
		assertThat(EdgeController.saves).as("saves posted").hasValue(1);
	}

	/** The same, when the handler sends the browser away with View.navigate rather than a redirect. */
	@Test
	void whenAPageEventNavigatesThenItsButtonStaysBusyWhileTheNextPageLoads() {
		this.page.navigate(url("/shared-edge"));
		awaitConnected(this.page);
		this.page.evaluate("() => { document.getElementById('navigate').click();"
				+ " setTimeout(() => document.getElementById('navigate').click(), 800); }");
		assertThat(this.page.locator("#arrived")).hasText("Arrived from slow", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(15_000));
		assertThat(EdgeController.saves).as("saves posted").hasValue(1);
	}

	/**
	 * An element that posts when clicked (a card, a table row) may hold a checkbox or a link: a click on those
	 * is theirs. The checkbox must tick and the link must go where it points, not post the card's event.
	 */
	@Test
	void aCheckboxInsideAnElementThatPostsTicks() {
		this.page.navigate(url("/shared-edge"));
		awaitConnected(this.page);
		this.page.locator("#pick").click();
		assertThat(this.page.locator("#pick")).isChecked();
		this.page.waitForTimeout(500);
		assertThat(EdgeController.cards).as("card events posted").hasValue(0);
	}

	@Test
	void aLinkInsideAnElementThatPostsGoesWhereItPoints() {
		this.page.navigate(url("/shared-edge"));
		awaitConnected(this.page);
		this.page.locator("#details").click();
		assertThat(this.page.locator("#arrived")).hasText("Arrived from export link");
		assertThat(EdgeController.cards).as("card events posted").hasValue(0);
	}

	/**
	 * README: strand.js's own messages (a page event that failed) live in the browser only, and a reset removes
	 * them. A flash region inside an element that re-renders for an unrelated change loses them too.
	 */
	@Test
	void anErrorFlashInARegionInsideAnElementThatReRendersStays() {
		this.page.navigate(url("/shared-edge"));
		awaitConnected(this.page);
		this.page.locator("#fail").click();
		assertThat(this.page.locator("#inner-flash .strand-flash-error")).hasCount(1);
		this.page.locator("#bump").click();
		assertThat(this.page.locator("#bumps")).hasText("bumps 1");
		assertThat(this.page.locator("#inner-flash .strand-flash-error")).hasCount(1);
	}

	/**
	 * A submit button with a formaction (and no data-strand-post) in a form that is a page event: the browser
	 * submits it there, as HTML says, rather than strand.js posting the form's fields to the form's page event.
	 */
	@Test
	void aSubmitButtonWithAFormactionOfItsOwnSubmitsThere() {
		this.page.navigate(url("/shared-edge"));
		awaitConnected(this.page);
		this.page.locator("#export").click();
		assertThat(this.page.locator("#arrived")).hasText("Arrived from export n");
		assertThat(EdgeController.saves).as("saves posted").hasValue(0);
	}

	/**
	 * A tab that ends without pagehide (a renderer crash, a tab the browser discards to save memory, a mobile
	 * browser killing a background tab) must not stay connected through the stream another tab holds: its view
	 * must close after the disconnect grace, as it does with a stream of its own, and its tasks end.
	 */
	@Test
	void whenATabSharingTheStreamDiesWithoutPagehideThenItsViewClosesAfterTheGrace() {
		this.page.navigate(url("/shared-edge"));
		awaitConnected(this.page);
		Page dying = this.context.newPage();
		dying.addInitScript("const add = window.addEventListener; window.addEventListener = function (type, ...rest) {"
				+ " if (type !== 'pagehide') return add.call(this, type, ...rest); };");
		dying.navigate(url("/shared-edge"));
		awaitConnected(dying);
		String dead = viewId(dying);
		dying.close();
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
			.untilAsserted(() -> assertThat(status(this.context.request().get(url("/strand/stream/status?view=" + dead))))
				.as("status of the dead tab's view").isEqualTo(410));
	}

	@Controller
	static class EdgeController {

		static final AtomicInteger saves = new AtomicInteger();

		static final AtomicInteger cards = new AtomicInteger();

		@Autowired
		TabRegistry registry;

		@GetMapping("/shared-edge")
		String page(View view) {
			view.assign("saves", saves.get());
			view.assign("bumps", 0);
			return "shared-edge";
		}

		@PostMapping("/shared-edge/save")
		String save(View view) {
			saves.incrementAndGet();
			return "redirect:/shared-edge/slow";
		}

		@PostMapping("/shared-edge/fail")
		ResponseEntity<String> fail(View view) {
			return ResponseEntity.status(409).body("conflict");
		}

		@PostMapping("/shared-edge/bump")
		void bump(View view) {
			view.update("bumps", (Integer n) -> n + 1);
		}

		@PostMapping("/shared-edge/card")
		void card(View view) {
			cards.incrementAndGet();
		}

		@PostMapping("/shared-edge/navigate")
		void navigate(View view) {
			saves.incrementAndGet();
			view.navigate("/shared-edge/slow");
		}

		@GetMapping("/shared-edge/slow")
		Mono<String> slow(org.springframework.ui.Model model) {
			model.addAttribute("from", "slow");
			return Mono.delay(Duration.ofSeconds(3)).thenReturn("edge-target");
		}

		@GetMapping("/shared-edge/export")
		String export(org.springframework.ui.Model model, @org.springframework.web.bind.annotation.RequestParam String note) {
			model.addAttribute("from", "export " + note);
			return "edge-target";
		}

		@PostMapping("/shared-edge/logout")
		Mono<ResponseEntity<String>> logout(ServerWebExchange exchange) {
			return exchange.getSession().flatMap((session) -> {
				String key = session.getAttribute("dev.strand.internal.ViewRegistry.KEY");
				return session.invalidate().then(Mono.fromRunnable(() -> this.registry.closeSession(key)))
					.thenReturn(ResponseEntity.ok("out"));
			});
		}

	}

}
