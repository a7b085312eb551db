package dev.strand.web;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Rows of a {@code th:each}, each with its own async state: a row's change patches that row alone, and a list that
 * changes is sent as the rows added, removed and changed.
 */
@SpringBootTest(classes = PageTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class RowsTests {

	private static final Pattern PATCH = Pattern.compile("\\{\"target\":\"([^\"]+)\",\"op\":\"([a-z]+)\",\"html\":\"(.*)\"}",
			Pattern.DOTALL);

	@Autowired
	WebTestClient client;

	@Test
	void whenTheRowsRenderThenEachRowsElementsHaveTheirOwnIdsAndTaskNames() {
		Pages.Page page = Pages.open(this.client, "/rows");
		assertThat(page.html())
			.contains("<td id=\"report-b\" data-strand-async=\"report:b\" aria-busy=\"false\">")
			.contains("<progress id=\"progress-b\" data-strand-progress=\"report:b\"")
			.contains("<div id=\"log-b\" data-strand-stream=\"report:b\"")
			.doesNotContain("strand:let");
	}

	@Test
	void whenOneRowsTaskRunsThenOnlyThatRowsElementsArePatched() {
		Pages.Page page = Pages.open(this.client, "/rows");
		page.post("/rows/run?id=b").expectStatus().isNoContent();
		// up to the outcome's patches of the row's three elements, in whatever order they come: a patch that a later
		// one of the same element superseded before the stream read it is not sent
		Set<String> seen = ConcurrentHashMap.newKeySet();
		List<Patch> patches = patches(page, page.lastEventId(), (patch) -> {
			seen.add(patch.target());
			if (patch.html().contains("<span>Beta: B</span>") || patch.html().contains("<b>B</b>")) {
				seen.add(patch.target() + " ok");
			}
			return seen.containsAll(List.of("report-b ok", "mirror-b ok", "progress-b"));
		});
		assertThat(patches).extracting(Patch::target).containsOnly("report-b", "progress-b", "mirror-b");
		assertThat(patches).filteredOn((patch) -> patch.target().equals("report-b")).last()
			.satisfies((patch) -> assertThat(patch.html()).startsWith("<td id=\"report-b\"").contains("<span>Beta: B</span>"));
	}

	@Test
	void whenStrandAsyncNamesARowVariableHoldingTheKeyThenItsElementReRendersAloneWithIt() {
		Pages.Page page = Pages.open(this.client, "/rows");
		page.post("/rows/run?id=b").expectStatus().isNoContent();
		List<Patch> patches = patches(page, page.lastEventId(), (patch) -> patch.target().equals("mirror-b")
				&& patch.html().contains("<b>B</b>"));
		assertThat(patches).noneSatisfy((patch) -> assertThat(patch.target()).isEqualTo("flash"));
		assertThat(patches.getLast().html()).startsWith("<em id=\"mirror-b\" data-strand-async=\"report:b\"");
	}

	@Test
	void whenARowIsAppendedThenOnePatchAppendsItAndTheCountIsRerendered() {
		Pages.Page page = Pages.open(this.client, "/rows");
		List<Patch> patches = after(page, "/rows/add?id=d");
		assertThat(patches).extracting(Patch::target, Patch::op).containsExactlyInAnyOrder(
				org.assertj.core.groups.Tuple.tuple("reports", "append"), org.assertj.core.groups.Tuple.tuple("count", "morph"));
		Patch append = patches.stream().filter((patch) -> patch.op().equals("append")).findFirst().orElseThrow();
		assertThat(append.html()).startsWith("<tr id=\"row-d\">").contains("New d").doesNotContain("row-a");
	}

	@Test
	void whenRowsChangeOneAfterAnotherThenEachChangeSendsOnlyItsRows() {
		Pages.Page page = Pages.open(this.client, "/rows");
		List<Patch> first = after(page, "/rows/add?id=d");
		List<Patch> second = after(page, "/rows/rename?id=a&name=First");
		List<Patch> third = after(page, "/rows/add?id=e");
		assertThat(second.subList(first.size(), second.size())).extracting(Patch::target, Patch::op)
			.containsExactlyInAnyOrder(tuple("row-a", "morph"), tuple("count", "morph"));
		assertThat(third.subList(second.size(), third.size())).extracting(Patch::target, Patch::op)
			.containsExactlyInAnyOrder(tuple("reports", "append"), tuple("count", "morph"));
		assertThat(third.getLast().html() + third.get(third.size() - 2).html()).contains("<tr id=\"row-e\">")
			.doesNotContain("row-d");
	}

	@Test
	void whenElementsInARowWerePatchedOnTheirOwnThenAChangeToAnotherRowSendsThatRowAlone() {
		Pages.Page page = Pages.open(this.client, "/rows");
		page.post("/rows/run?id=b").expectStatus().isNoContent();
		patches(page, page.lastEventId(), (patch) -> patch.target().equals("mirror-b") && patch.html().contains("<b>B</b>"));
		List<Patch> hinted = after(page, "/rows/hint?id=b&text=Soon"); // in an element that is in the row
		List<Patch> renamed = after(page, "/rows/rename?id=a&name=First");
		// row b is in the page as it renders now: sent again, it would draw its stream container afresh
		assertThat(renamed.subList(hinted.size(), renamed.size())).extracting(Patch::target, Patch::op)
			.containsExactlyInAnyOrder(tuple("row-a", "morph"), tuple("count", "morph"));
		List<Patch> renamedB = after(page, "/rows/rename?id=b&name=Second");
		assertThat(renamedB.subList(renamed.size(), renamedB.size())).extracting(Patch::target, Patch::op)
			.containsExactlyInAnyOrder(tuple("row-b", "morph"), tuple("count", "morph"));
		assertThat(renamedB.get(renamed.size()).html() + renamedB.getLast().html()).contains("Second: B").contains("Soon");
	}

	@Test
	void whenAnElementFailsToRenderThenTheListChangedInTheSameTurnIsSentAllTheSame() {
		Pages.Page page = Pages.open(this.client, "/rows");
		List<ServerSentEvent<String>> broken = events(page, "/rows/rename?id=a&name=First&breaking=true");
		assertThat(broken).filteredOn((event) -> "patch".equals(event.event())).map((event) -> Patch.of(event.data()))
			.extracting(Patch::target, Patch::op)
			.containsExactlyInAnyOrder(tuple("row-a", "morph"), tuple("count", "morph"));
		assertThat(broken).filteredOn((event) -> "flash".equals(event.event())).singleElement()
			.satisfies((event) -> assertThat(event.data()).contains("Part of this page could not be updated"));
		// the list's record of its rows is the page's: the next change sends its own row
		List<Patch> renamed = after(page, "/rows/rename?id=b&name=Second");
		assertThat(renamed.subList(2, renamed.size())).extracting(Patch::target, Patch::op)
			.containsExactlyInAnyOrder(tuple("row-b", "morph"), tuple("count", "morph"));
	}

	@Test
	void whenARowIsPrependedThenOnePatchPrependsIt() {
		Pages.Page page = Pages.open(this.client, "/rows");
		assertThat(after(page, "/rows/add?id=z&first=true")).filteredOn((patch) -> patch.target().equals("reports"))
			.singleElement()
			.satisfies((patch) -> assertThat(patch.op()).isEqualTo("prepend"))
			.satisfies((patch) -> assertThat(patch.html()).startsWith("<tr id=\"row-z\">").doesNotContain("row-a"));
	}

	@Test
	void whenARowIsRemovedThenOnePatchRemovesIt() {
		Pages.Page page = Pages.open(this.client, "/rows");
		assertThat(after(page, "/rows/remove?id=b")).filteredOn((patch) -> !patch.target().equals("count"))
			.singleElement()
			.satisfies((patch) -> assertThat(patch.target()).isEqualTo("row-b"))
			.satisfies((patch) -> assertThat(patch.op()).isEqualTo("remove"));
	}

	@Test
	void whenOneRowChangesThenOnlyThatRowIsMorphed() {
		Pages.Page page = Pages.open(this.client, "/rows");
		assertThat(after(page, "/rows/rename?id=c&name=Renamed")).filteredOn((patch) -> !patch.target().equals("count"))
			.singleElement()
			.satisfies((patch) -> assertThat(patch.target()).isEqualTo("row-c"))
			.satisfies((patch) -> assertThat(patch.op()).isEqualTo("morph"))
			.satisfies((patch) -> assertThat(patch.html()).startsWith("<tr id=\"row-c\">").contains("Renamed"));
	}

	@Test
	void whenTheRowsAreReorderedThenTheListIsMorphedWhole() {
		Pages.Page page = Pages.open(this.client, "/rows");
		assertThat(after(page, "/rows/reverse")).filteredOn((patch) -> patch.target().equals("reports"))
			.singleElement()
			.satisfies((patch) -> assertThat(patch.op()).isEqualTo("morph"))
			.satisfies((patch) -> assertThat(patch.html()).containsSubsequence("row-c", "row-b", "row-a"));
	}

	@Test
	void whenARowIsAddedThenItsOwnTaskPatchesItsOwnElements() {
		Pages.Page page = Pages.open(this.client, "/rows");
		page.post("/rows/add?id=d").expectStatus().isNoContent();
		page.post("/rows/run?id=d").expectStatus().isNoContent();
		List<Patch> patches = patches(page, page.lastEventId(), (patch) -> patch.html().contains("New d: D"));
		assertThat(patches.getLast().target()).isEqualTo("report-d");
	}

	@Test
	void whenARowIsRemovedThenItsElementsAreNoLongerRendered() {
		Pages.Page page = Pages.open(this.client, "/rows");
		page.post("/rows/remove?id=a").expectStatus().isNoContent();
		page.post("/rows/run?id=a").expectStatus().isNoContent();
		page.post("/rows/run?id=b").expectStatus().isNoContent();
		List<Patch> patches = patches(page, page.lastEventId(), (patch) -> patch.html().contains("Beta: B"));
		assertThat(patches).extracting(Patch::target).doesNotContain("report-a", "progress-a", "log-a");
	}

	@Test
	void whenRowsAreRemovedThenTheElementsNestedInTheirElementsAreForgottenToo() {
		Pages.Page page = Pages.open(this.client, "/rows");
		page.post("/rows/hint?id=b&text=shown").expectStatus().isNoContent();
		page.post("/rows/clear").expectStatus().isNoContent();
		for (String id : List.of("a", "b", "c")) {
			page.post("/rows/hint?id=" + id + "&text=gone").expectStatus().isNoContent();
		}
		page.post("/rows/add?id=d").expectStatus().isNoContent();
		page.post("/rows/hint?id=d&text=last").expectStatus().isNoContent();
		List<Patch> patches = patches(page, page.lastEventId(), (patch) -> patch.html().contains("last"));
		assertThat(patches).anySatisfy((patch) -> assertThat(patch.target()).isEqualTo("hint-b"));
		assertThat(patches).noneSatisfy((patch) -> assertThat(patch.html()).contains("gone"));
		assertThat(patches.getLast().target()).isEqualTo("hint-d");
	}

	@Test
	void whenARowsTaskPushesThenItsChunksReachThatRowsStreamOnly() {
		Pages.Page page = Pages.open(this.client, "/rows");
		page.post("/rows/run?id=c").expectStatus().isNoContent();
		ServerSentEvent<String> chunk = page.stream(page.lastEventId()).filter((event) -> "chunk".equals(event.event()))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(chunk.data()).isEqualTo("{\"task\":\"report:c\",\"text\":\"half of c\"}");
	}

	/** The patches that a page event's changes made, up to the event its response names. */
	private List<Patch> after(Pages.Page page, String path) {
		return events(page, path).stream().filter((event) -> "patch".equals(event.event()))
			.map((event) -> Patch.of(event.data()))
			.toList();
	}

	/** The events since the page opened, up to the one that a page event's response names. */
	private List<ServerSentEvent<String>> events(Pages.Page page, String path) {
		String last = page.post(path).expectStatus().isNoContent().returnResult(Void.class).getResponseHeaders()
			.getFirst("Strand-Event");
		long upTo = Long.parseLong(last);
		return page.stream(page.lastEventId())
			.takeUntil((event) -> event.id() != null && Long.parseLong(event.id()) >= upTo)
			.collectList().block(Duration.ofSeconds(10));
	}

	/** The patches from an event on, up to the first that matches. */
	private static List<Patch> patches(Pages.Page page, long after, Predicate<Patch> last) {
		return page.stream(after).filter((event) -> "patch".equals(event.event()))
			.map((event) -> Patch.of(event.data()))
			.takeUntil(last)
			.collectList().block(Duration.ofSeconds(10));
	}

	record Patch(String target, String op, String html) {

		static Patch of(String data) {
			Matcher matcher = PATCH.matcher(data);
			assertThat(matcher.matches()).as("a patch: %s", data).isTrue();
			return new Patch(matcher.group(1), matcher.group(2), matcher.group(3).replace("\\\"", "\"").replace("\\n", "\n"));
		}

	}

}
