package dev.strand.test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The test client's property is described in the generated metadata, so that IDEs can help set it. */
class ConfigurationMetadataTests {

	@Test
	void whenBuiltThenTheTimeoutIsDescribedWithItsDefault() throws IOException {
		List<JsonNode> properties = new ArrayList<>();
		for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				JsonMapper.builder().build().readTree(in).path("properties").forEach((property) -> {
					if (property.path("name").asString("").startsWith("strand.test.")) {
						properties.add(property);
					}
				});
			}
		}
		assertThat(properties).extracting((property) -> property.get("name").asString()).containsExactly("strand.test.timeout");
		JsonNode timeout = properties.get(0);
		assertThat(timeout.path("type").asString()).isEqualTo("java.time.Duration");
		assertThat(timeout.path("defaultValue").asString()).isEqualTo("10s");
		assertThat(timeout.path("description").asString()).startsWith("Time a test tab waits for its view's tasks");
	}

}
