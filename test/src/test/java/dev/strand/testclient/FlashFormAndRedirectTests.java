package dev.strand.testclient;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.strand.test.AutoConfigureStrandTestClient;
import dev.strand.test.StrandTestClient;
import dev.strand.test.TestTab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@SpringBootTest(classes = EdgeApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureStrandTestClient
class FlashFormAndRedirectTests {

	@Autowired
	StrandTestClient strand;

	/** README: "view.clearFlash(kind) ... remove one kind"; strand.js removes the box on a null message. */
	@Test
	void whenAFlashIsClearedThenThePageNoLongerShowsIt() {
		TestTab tab = this.strand.open("/edge").connect();
		tab.post("/edge/flash");
		assertThat(tab.text("#flash .strand-flash-info .strand-flash-text")).isEqualTo("Hello");
		tab.post("/edge/clear");
		assertThat(tab.flash("info")).isNull();
		assertThat(tab.count("#flash .strand-flash")).as(tab.html("#flash")).isZero();
		assertThat(tab.text("#flash")).isEmpty();
	}

	/** A form field given as an array is sent as the array's toString, silently. */
	@Test
	void whenAFieldIsAnArrayThenEachElementIsSent() {
		TestTab tab = this.strand.open("/edge").connect();
		tab.post("/edge/fields", Map.of("ids", new String[] { "1", "2" }));
		assertThat(tab.texts("#fields li")).containsExactly("1", "2");
	}

	/** A navigate event is documented, yet the tab files it as a problem, "an event of unknown type". */
	@Test
	void whenTheViewNavigatesThenFailureMessagesDoNotCallItAnUnknownEvent() {
		TestTab tab = this.strand.open("/edge").connect();
		tab.post("/edge/navigate");
		assertThat(tab.events()).extracting((event) -> event.name()).contains("navigate");
		tab.post("/edge/hang");
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.awaitTasks(Duration.ofMillis(200)))
			.withMessageContaining("navigate {\"url\":\"/elsewhere\"}")
			.withMessageNotContaining("an event of unknown type");
	}

	/** A page event answered with a redirect: the browser leaves; the test tab says nothing. */
	@Test
	void whenAPageEventRedirectsThenTheTabSaysSo() {
		TestTab tab = this.strand.open("/edge").connect();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> tab.post("/edge/redirect"));
	}

	List<String> unused() {
		return List.of();
	}

}
