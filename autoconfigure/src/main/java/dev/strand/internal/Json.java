package dev.strand.internal;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes wire events' data: small JSON objects built field by field, with strings quoted by Jackson's
 * encoder and arbitrary values (a chunk that is not text) written by the application's mapper.
 */
public final class Json {

	private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

	private final JsonMapper mapper;

	public Json(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * Return a value as JSON: text as a quoted string, anything else as the application's mapper writes it.
	 * @param value the value
	 * @return the JSON
	 */
	public String value(@Nullable Object value) {
		return (value instanceof CharSequence text) ? quote(text) : this.mapper.writeValueAsString(value);
	}

	/**
	 * Return the length of text in UTF-8, as a stream sends it, without encoding it.
	 * @param text the text
	 * @return its bytes
	 */
	public static int utf8Length(CharSequence text) {
		int length = text.length();
		int bytes = length;
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			if (c >= 0x80) {
				bytes += (c < 0x800 || Character.isSurrogate(c)) ? 1 : 2; // a surrogate pair is four bytes
			}
		}
		return bytes;
	}

	/**
	 * Return text as a quoted JSON string. Most text has nothing to escape, and then it is copied once, with no
	 * builder (a chunk's text is quoted per push).
	 * @param text the text
	 * @return the JSON string
	 */
	public String quote(CharSequence text) {
		if (!needsEscaping(text)) {
			return "\"" + text + "\"";
		}
		// room for some escapes: HTML's attributes quote with '"', each written as two characters
		StringBuilder out = new StringBuilder(text.length() + text.length() / 8 + 16).append('"');
		ENCODER.quoteAsString(text, out);
		return out.append('"').toString();
	}

	/** Whether Jackson's encoder would change the text: a control character, a quote or a backslash in it. */
	private static boolean needsEscaping(CharSequence text) {
		for (int i = 0, length = text.length(); i < length; i++) {
			char c = text.charAt(i);
			if (c < 0x20 || c == '"' || c == '\\') {
				return true;
			}
		}
		return false;
	}

	/**
	 * Start an object.
	 * @return its writer
	 */
	public ObjectWriter object() {
		return new ObjectWriter(new StringBuilder(64));
	}

	/** Writes one JSON object. */
	public final class ObjectWriter {

		private final StringBuilder out;

		private boolean first = true;

		private ObjectWriter(StringBuilder out) {
			this.out = out.append('{');
		}

		private StringBuilder name(String name) {
			if (!this.first) {
				this.out.append(',');
			}
			this.first = false;
			this.out.append('"');
			ENCODER.quoteAsString(name, this.out);
			return this.out.append("\":");
		}

		public ObjectWriter field(String name, @Nullable CharSequence value) {
			StringBuilder out = name(name);
			if (value == null) {
				out.append("null");
			}
			else {
				out.append('"');
				ENCODER.quoteAsString(value, out);
				out.append('"');
			}
			return this;
		}

		public ObjectWriter field(String name, long value) {
			name(name).append(value);
			return this;
		}

		/** Write a value that is already JSON. */
		public ObjectWriter raw(String name, String json) {
			name(name).append(json);
			return this;
		}

		public ArrayWriter array(String name) {
			name(name);
			return new ArrayWriter(this.out, this);
		}

		/** End the object and return the JSON. */
		public String end() {
			this.out.append('}');
			return this.out.toString();
		}

	}

	/** Writes a JSON array inside an object. */
	public final class ArrayWriter {

		private final StringBuilder out;

		private final ObjectWriter parent;

		private boolean first = true;

		private ArrayWriter(StringBuilder out, ObjectWriter parent) {
			this.out = out.append('[');
			this.parent = parent;
		}

		/** Append a value that is already JSON. */
		public ArrayWriter raw(String json) {
			if (!this.first) {
				this.out.append(',');
			}
			this.first = false;
			this.out.append(json);
			return this;
		}

		public ObjectWriter end() {
			this.out.append(']');
			return this.parent;
		}

	}

}
