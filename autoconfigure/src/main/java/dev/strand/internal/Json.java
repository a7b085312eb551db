package dev.strand.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.json.JsonMapper;

/** Writes event data as JSON. */
final class Json {

	private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

	private final JsonMapper mapper;

	Json(JsonMapper mapper) {
		this.mapper = mapper;
	}

	String write(Object value) {
		return this.mapper.writeValueAsString(value);
	}

	/**
	 * Return {@code {"task":...,"text":...}}, the data of every text chunk, quoted by Jackson's string
	 * encoder rather than through a Map and the mapper.
	 */
	String textChunk(String task, CharSequence text) {
		StringBuilder json = new StringBuilder(text.length() + task.length() + 24).append("{\"task\":\"");
		ENCODER.quoteAsString(task, json);
		json.append("\",\"text\":\"");
		ENCODER.quoteAsString(text, json);
		return json.append("\"}").toString();
	}

	String object(Object... keysAndValues) {
		Map<Object, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put(keysAndValues[i], keysAndValues[i + 1]);
		}
		return write(map);
	}

}
