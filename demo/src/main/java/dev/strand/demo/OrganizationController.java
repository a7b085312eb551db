package dev.strand.demo;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;

import dev.strand.AsyncOptions;
import dev.strand.View;

/**
 * Async assigns, after LiveView's guide: the organization loads on its own ({@code assignAsync("org", ...)}),
 * the profile and the rank load together ({@code assignAsync(Set.of("profile", "rank"), ...)}). Each card
 * posts its latency and failure rate with every Reload, Retry and Cancel; Cancel gives a reason
 * ({@code cancelAsync(key, reason)}) that the failed result shows.
 */
@Controller
@RequestMapping("/organization")
class OrganizationController {

	static final Directory.Latency ORG_DEFAULTS = new Directory.Latency(1000, 0);

	static final Directory.Latency PROFILE_DEFAULTS = new Directory.Latency(2000, 0);

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

	private final Directory directory;

	OrganizationController(Directory directory) {
		this.directory = directory;
	}

	@GetMapping
	String page(View view) {
		loadOrg(view, ORG_DEFAULTS, false);
		loadProfile(view, PROFILE_DEFAULTS, false);
		return "organization";
	}

	@PostMapping("/org/reload")
	void reloadOrg(View view, @ModelAttribute LoadForm form) {
		loadOrg(view, form.latency(ORG_DEFAULTS), form.reset());
	}

	@PostMapping("/org/cancel")
	void cancelOrg(View view) {
		view.cancelAsync("org", cancelledByYou()); // the failed AsyncResult's detail, shown by the page
	}

	@PostMapping("/profile/reload")
	void reloadProfile(View view, @ModelAttribute LoadForm form) {
		loadProfile(view, form.latency(PROFILE_DEFAULTS), form.reset());
	}

	@PostMapping("/profile/cancel")
	void cancelProfile(View view) {
		view.cancelAsync("profile", cancelledByYou()); // the task that loads "profile" also loads "rank"
	}

	private void loadOrg(View view, Directory.Latency latency, boolean reset) {
		view.assign("orgLatency", latency).assignAsync("org", options(reset), () -> this.directory.organization(latency));
	}

	private void loadProfile(View view, Directory.Latency latency, boolean reset) {
		view.assign("profileLatency", latency).assignAsync(Set.of("profile", "rank"), options(reset),
				() -> Map.of("profile", this.directory.profile(latency), "rank", this.directory.rank(latency)));
	}

	private static String cancelledByYou() {
		return "cancelled by you at " + LocalTime.now().format(TIME);
	}

	private static AsyncOptions options(boolean reset) {
		return reset ? AsyncOptions.reset() : AsyncOptions.defaults();
	}

	/**
	 * A card's form.
	 *
	 * @param latency the pretend call's latency in milliseconds
	 * @param failureRate its failure rate in percent
	 * @param reset whether to drop the previous result while loading
	 */
	record LoadForm(@Nullable Integer latency, @Nullable Integer failureRate, @Nullable Boolean reset) {

		Directory.Latency latency(Directory.Latency defaults) {
			return new Directory.Latency((this.latency != null) ? this.latency : defaults.millis(),
					(this.failureRate != null) ? this.failureRate : defaults.failureRate());
		}

		@Override
		public Boolean reset() {
			return Boolean.TRUE.equals(this.reset);
		}

	}

}
