package dev.strand.readme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's examples are code of the build: every {@code java} block is in {@link ReadmeExamples}, which
 * compiles with the tests, and every {@code html} block is in a test template, which these tests render.
 */
@SpringBootTest(classes = ReadmeTests.ReadmeApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ReadmeTests {

	private static final Path README = Path.of("..", "README.md");

	private static final Path EXAMPLES = Path.of("src", "test", "java", "dev", "strand", "readme", "ReadmeExamples.java");

	private static final String DEMO_TESTS_SECTION = "## Testing your pages";

	private static final Path TEMPLATES = Path.of("src", "test", "resources", "templates");

	@Autowired
	WebTestClient client;

	@Test
	void everyJavaBlockOfTheReadmeIsInTheExamplesThatCompile() throws IOException {
		List<List<String>> blocks = blocks("java");
		assertThat(blocks).as("java blocks in the README").hasSizeGreaterThanOrEqualTo(5);
		List<String> examples = lines(Files.readString(EXAMPLES));
		for (List<String> block : blocks) {
			assertThat(Collections.indexOfSubList(examples, block))
				.as("this README block is in %s, line for line:%n%s", EXAMPLES, String.join("\n", block))
				.isNotNegative();
		}
	}

	@Test
	void everyHtmlBlockOfTheReadmeIsInATemplateThatRenders() throws IOException {
		List<List<String>> templates = new ArrayList<>();
		try (Stream<Path> files = Files.list(TEMPLATES)) {
			for (Path file : files.toList()) {
				templates.add(lines(Files.readString(file)));
			}
		}
		for (List<String> block : blocks("html")) {
			assertThat(templates).as("a template with this README block:%n%s", String.join("\n", block))
				.anyMatch((template) -> Collections.indexOfSubList(template, block) >= 0);
		}
		this.client.get().uri("/import").exchange().expectStatus().isOk();
	}

	@Test
	void theOrganizationExampleLoadsItsOrganization() {
		EntityExchangeResult<String> page = this.client.get().uri("/orgs/acme").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult();
		assertThat(page.getResponseBody()).contains("<p>Loading organization…</p>");
		Matcher view = Pattern.compile("name=\"strand-view\" content=\"([^\"]+)\"").matcher(page.getResponseBody());
		assertThat(view.find()).isTrue();
		ServerSentEvent<String> patch = this.client.get().uri("/strand/stream?view=" + view.group(1))
			.cookie("SESSION", page.getResponseCookies().getFirst("SESSION").getValue())
			.accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
			.returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
			.getResponseBody()
			.filter((event) -> "patch".equals(event.event()) && event.data().contains("\"target\":\"org\""))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(patch.data()).contains("<h1>Acme</h1>");
	}

	@Test
	void theReportsExampleSendsABuiltRowAndAnAddedRowAsSmallPatches() {
		EntityExchangeResult<String> page = this.client.get().uri("/reports").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult();
		Matcher view = Pattern.compile("name=\"strand-view\" content=\"([^\"]+)\"").matcher(page.getResponseBody());
		assertThat(view.find()).isTrue();
		String session = page.getResponseCookies().getFirst("SESSION").getValue();
		this.client.post().uri("/reports/build").cookie("SESSION", session).header("Strand-View", view.group(1))
			.body(org.springframework.web.reactive.function.BodyInserters.fromFormData("id", "2")).exchange()
			.expectStatus().isNoContent();
		this.client.post().uri("/reports/add").cookie("SESSION", session).header("Strand-View", view.group(1)).exchange()
			.expectStatus().isNoContent();
		List<String> patches = this.client.get().uri("/strand/stream?view=" + view.group(1)).cookie("SESSION", session)
			.accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
			.returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
			.getResponseBody()
			.filter((event) -> "patch".equals(event.event()))
			.map(ServerSentEvent::data)
			.takeUntil((data) -> data.contains("ready (2)"))
			.collectList().block(Duration.ofSeconds(10));
		assertThat(patches).anySatisfy((data) -> assertThat(data).startsWith("{\"target\":\"reports\",\"op\":\"append\"")
			.contains("row-4").doesNotContain("row-1"));
		assertThat(patches).allSatisfy((data) -> assertThat(data).doesNotContain("\"target\":\"row-1\"", "\"target\":\"status-1\""));
		assertThat(patches.getLast()).startsWith("{\"target\":\"status-2\",\"op\":\"morph\"");
	}

	/**
	 * The README's fenced blocks of a language, each as its lines without their indentation. The blocks of
	 * {@value #DEMO_TESTS_SECTION} are test classes of the demo, which the demo's {@code ReadmeExamplesTests} checks.
	 */
	private static List<List<String>> blocks(String language) throws IOException {
		List<List<String>> blocks = new ArrayList<>();
		List<String> current = null;
		boolean demoTests = false;
		for (String line : Files.readAllLines(README)) {
			if (current == null && line.startsWith("## ")) {
				demoTests = line.equals(DEMO_TESTS_SECTION);
			}
			else if (current == null && !demoTests && line.equals("```" + language)) {
				current = new ArrayList<>();
			}
			else if (current != null && line.startsWith("```")) {
				blocks.add(current);
				current = null;
			}
			else if (current != null) {
				current.add(line.strip());
			}
		}
		return blocks;
	}

	private static List<String> lines(String text) {
		return text.lines().map(String::strip).toList();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ ReadmeExamples.OrgController.class, ReadmeExamples.ImportController.class, ReadmeExamples.ExportController.class,
			ReadmeExamples.ReportsController.class })
	static class ReadmeApplication {

	}

}
