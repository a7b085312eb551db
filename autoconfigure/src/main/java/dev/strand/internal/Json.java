package dev.strand.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** Writes event data as JSON. */
final class Json {

	private final JsonMapper mapper;

	Json(JsonMapper mapper) {
		this.mapper = mapper;
	}

	String write(Object value) {
		return this.mapper.writeValueAsString(value);
	}

	String object(Object... keysAndValues) {
		Map<Object, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put(keysAndValues[i], keysAndValues[i + 1]);
		}
		return write(map);
	}

}
