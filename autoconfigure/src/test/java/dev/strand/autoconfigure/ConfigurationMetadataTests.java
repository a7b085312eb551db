package dev.strand.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata generated from {@link StrandProperties}: every {@code strand.*} property is
 * described, so that IDEs can help users set it.
 */
class ConfigurationMetadataTests {

	private static final List<String> PROPERTIES = List.of("strand.limits.views-per-session",
			"strand.limits.tasks-per-view", "strand.limits.tasks", "strand.limits.max-event-size", "strand.tasks.timeout",
			"strand.tasks.linger-warning", "strand.tasks.shutdown-grace", "strand.stream.path", "strand.stream.heartbeat",
			"strand.stream.replay-buffer", "strand.stream.replay-buffer-size", "strand.stream.max-pending",
			"strand.stream.max-pending-size", "strand.stream.max-chunk-size", "strand.stream.push-timeout",
			"strand.stream.write-timeout", "strand.stream.history-size", "strand.stream.total-buffer-size",
			"strand.stream.direct-buffers", "strand.views.connect-timeout", "strand.views.disconnect-grace",
			"strand.views.session-check-interval",
			"strand.views.interrupted-message", "strand.cluster.mode", "strand.cluster.node-timeout",
			"strand.cluster.request-timeout");

	/** Properties whose default is worked out at startup (from the heap's size), which the description gives. */
	private static final Set<String> COMPUTED_DEFAULTS = Set.of("strand.stream.total-buffer-size");

	private JsonNode metadata;

	@BeforeEach
	void readStrandMetadata() throws IOException {
		List<JsonNode> found = new ArrayList<>();
		for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				JsonNode candidate = JsonMapper.builder().build().readTree(in);
				for (JsonNode group : candidate.path("groups")) {
					if (group.path("name").asString("").equals("strand")) {
						found.add(candidate);
						break;
					}
				}
			}
		}
		assertThat(found).as("Strand's generated META-INF/spring-configuration-metadata.json").hasSize(1);
		this.metadata = found.get(0);
	}

	private List<JsonNode> strandProperties() {
		List<JsonNode> properties = new ArrayList<>();
		this.metadata.get("properties").forEach((property) -> {
			if (property.get("name").asString().startsWith("strand.")) {
				properties.add(property);
			}
		});
		return properties;
	}

	@Test
	void whenBuiltThenEveryPropertyIsInTheMetadata() {
		assertThat(strandProperties()).extracting((property) -> property.get("name").asString())
			.containsExactlyInAnyOrderElementsOf(PROPERTIES);
	}

	@Test
	void whenBuiltThenEveryPropertyHasItsOwnDescription() {
		Set<String> descriptions = new HashSet<>();
		for (JsonNode property : strandProperties()) {
			String name = property.get("name").asString();
			assertThat(property.has("description")).as(name + " has a description").isTrue();
			String description = property.get("description").asString();
			assertThat(description).as(name).isNotBlank();
			// starts like a sentence: a record component's @param matched by the prefix of another gives "PerView …"
			assertThat(description).as(name).matches("[A-Z][a-z].*").doesNotMatch("[A-Z][a-z]+[A-Z].*");
			assertThat(descriptions.add(description)).as(name + " shares its description: " + description).isTrue();
		}
	}

	@Test
	void whenBuiltThenEveryPropertyHasItsDefaultValue() {
		for (JsonNode property : strandProperties()) {
			String name = property.get("name").asString();
			if (COMPUTED_DEFAULTS.contains(name)) {
				assertThat(property.get("description").asString()).as(name + " describes its default").contains("Default: ");
			}
			else {
				assertThat(property.has("defaultValue")).as(name + " has a default").isTrue();
			}
		}
		assertThat(strandProperties()).filteredOn((property) -> property.get("name").asString().equals("strand.stream.path"))
			.singleElement()
			.satisfies((property) -> assertThat(property.get("defaultValue").asString()).isEqualTo("/strand/stream"));
	}

	@Test
	void whenBuiltThenTheApplicationWideTaskLimitIsDescribedAsSuch() {
		assertThat(strandProperties()).filteredOn((property) -> property.get("name").asString().equals("strand.limits.tasks"))
			.singleElement()
			.satisfies((property) -> assertThat(property.get("description").asString()).contains("whole application"));
	}

}
