package dev.strand.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Testing your pages" shows whole test classes of the demo: each must be the class as it is here,
 * so that the README's examples are tests that run in the build.
 */
class ReadmeExamplesTests {

	private static final Path README = Path.of("..", "README.md");

	private static final Path TESTS = Path.of("src", "test", "java", "dev", "strand", "demo");

	@ParameterizedTest
	@ValueSource(strings = { "StreamingOutcomesTests", "OrganizationAsyncTests" })
	void whenTheReadmeShowsATestClassThenItIsTheClassThatRuns(String name) throws IOException {
		String source = Files.readString(TESTS.resolve(name + ".java"));
		String withoutPackage = source.substring(source.indexOf('\n', source.indexOf("package ")) + 1).strip();
		assertThat(javaBlocks(section(Files.readString(README)))).as("the README's Java blocks in 'Testing your pages'")
			.contains(withoutPackage);
	}

	private static String section(String readme) {
		int start = readme.indexOf("\n## Testing your pages\n");
		assertThat(start).as("the README's 'Testing your pages' section").isNotNegative();
		int end = readme.indexOf("\n## ", start + 1);
		return readme.substring(start, (end < 0) ? readme.length() : end);
	}

	private static List<String> javaBlocks(String markdown) {
		List<String> blocks = new ArrayList<>();
		Matcher matcher = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
		while (matcher.find()) {
			blocks.add(matcher.group(1).strip());
		}
		return blocks;
	}

}
