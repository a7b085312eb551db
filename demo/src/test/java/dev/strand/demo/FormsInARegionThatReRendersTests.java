package dev.strand.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.microsoft.playwright.Locator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import dev.strand.AsyncOptions;
import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.View;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A form and a button in a region that re-renders every 100 ms (a ticking assign): what the user did in the form,
 * and a control kept busy while its page event is on its way, survive the re-renders. Page events under
 * /ticking/slow/ take 1 s to reach their handler, as over a slow network, so that re-renders land meanwhile.
 */
@DemoTest
@Import({ FormsInARegionThatReRendersTests.TickingController.class, FormsInARegionThatReRendersTests.SlowNetwork.class })
class FormsInARegionThatReRendersTests extends BrowserTest {

	@BeforeEach
	void openTickingPage() {
		TickingController.starts.set(0);
		this.page.navigate(url("/ticking"));
		awaitConnected(this.page);
		this.page.evaluate("""
				() => { window.__renders = 0; let last = document.getElementById('ticks').textContent;
				  new MutationObserver(() => { const now = document.getElementById('ticks')?.textContent;
				    if (now !== last) { last = now; window.__renders++; } })
				  .observe(document.getElementById('card'), { subtree: true, childList: true, characterData: true }); }""");
		awaitRenders(1);
	}

	@Test
	void whenTheRegionReRendersThenATickedCheckboxAChosenRadioAndAChosenOptionStayAsTheUserLeftThem() {
		this.page.locator("#agree").check();
		this.page.locator("#quiet").check();
		this.page.locator("#color").selectOption("blue");
		this.page.locator("#text").focus(); // none of them has the focus
		awaitRenders(renders() + 3);
		assertThat(this.page.locator("#agree")).isChecked();
		assertThat(this.page.locator("#quiet")).isChecked();
		assertThat(this.page.locator("#loud")).not().isChecked();
		assertThat(this.page.locator("#color")).hasValue("blue");
	}

	@Test
	void whenTheRegionReRendersWhileAButtonsPostIsOnItsWayThenTheButtonStaysBusyAndASecondClickIsNotPosted() {
		Locator start = button("Start");
		start.click();
		awaitRenders(renders() + 3); // the post is still on its way (1 s)
		assertThat(start).isDisabled();
		assertThat(start).hasAttribute("aria-busy", "true");
		start.evaluate("(b) => b.click()"); // the user clicks again
		assertThat(this.page.locator("#started")).hasText("1");
		assertThat(start).isEnabled(); // once the page shows what the handler changed
		this.page.waitForTimeout(1500); // a second post would have reached the handler by now
		assertThat(TickingController.starts.get()).isEqualTo(1);
		assertThat(this.page.locator("#started")).hasText("1");
	}

	@Test
	void whenTheUserTypesOnAfterPressingEnterThenTheRegionsReRendersDoNotWipeWhatTheyTyped() {
		Locator text = this.page.locator("#text");
		text.click();
		this.page.keyboard().type("first");
		this.page.keyboard().press("Enter");
		this.page.keyboard().type("second"); // the next entry, while the first is on its way
		assertThat(this.page.locator("#added-0")).hasText("first");
		awaitRenders(renders() + 2);
		assertThat(text).hasValue(Pattern.compile("second$"));
	}

	@Test
	void whenAFormsPostFailsThenTheTextItSentIsBackInItsFieldThoughReRendersEmptiedItMeanwhile() {
		Locator text = this.page.locator("#text");
		text.click();
		this.page.keyboard().type("boom");
		this.page.keyboard().press("Enter");
		assertThat(this.page.locator("#flash .strand-flash-error")).isVisible();
		assertThat(text).hasValue("boom");
		assertThat(this.page.locator("#added li")).hasCount(0);
	}

	private int renders() {
		return ((Number) this.page.evaluate("() => window.__renders")).intValue();
	}

	private void awaitRenders(int count) {
		this.page.waitForFunction("(n) => window.__renders >= n", count);
	}

	/** Page events under /ticking/slow/ reach their handler after 1 s, as over a slow network. */
	static class SlowNetwork implements WebFilter {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			return exchange.getRequest().getPath().value().startsWith("/ticking/slow/")
					? Mono.delay(Duration.ofSeconds(1)).then(chain.filter(exchange)) : chain.filter(exchange);
		}

	}

	@Controller
	static class TickingController {

		static final AtomicInteger starts = new AtomicInteger();

		@GetMapping("/ticking")
		String page(View view) {
			view.assign("tick", 0L).assign("started", 0).assign("added", List.of())
				.startAsync("ticker", AsyncOptions.timeout(Duration.ofMinutes(5)), (task) -> {
					while (true) {
						Thread.sleep(100);
						task.push(1L);
					}
				});
			return "ticking-form";
		}

		@HandleChunk(value = "ticker", send = false)
		void tick(Long one, View view) {
			view.update("tick", (Long n) -> n + 1);
		}

		@HandleAsync("ticker")
		void tickerStopped(Outcome<Void> outcome, View view) {
		}

		@PostMapping("/ticking/slow/start")
		void start(View view) {
			starts.incrementAndGet();
			view.update("started", (Integer n) -> n + 1);
		}

		@PostMapping("/ticking/slow/add")
		void add(View view, @ModelAttribute AddForm form) {
			if ("boom".equals(form.text())) {
				throw new IllegalStateException("boom");
			}
			view.update("added", (List<String> added) -> {
				List<String> more = new ArrayList<>(added);
				more.add(String.valueOf(form.text()));
				return more;
			});
		}

		record AddForm(@Nullable String text) {
		}

	}

}
