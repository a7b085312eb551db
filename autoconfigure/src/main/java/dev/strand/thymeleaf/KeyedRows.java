package dev.strand.thymeleaf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * The rows of a rendered element whose children all have ids, such as the {@code <tr th:each="…" th:id="…">} of a
 * {@code <tbody>}: each child's id, where its HTML is in the element's, and a 64-bit hash of it. Strand keeps the
 * ids and hashes of the rows a page has, and compares them with a fresh render to send only the rows that were
 * added, removed or changed. Reads HTML as Thymeleaf writes it; anything else (a child without an id, text
 * between children, markup it cannot follow) is not keyed rows, and the element is sent whole.
 * <p>
 * An element in a row that re-renders on its own (a tracked one, such as a row's {@code strand:async} cell) is
 * left out of the row's hash and hashed on its own, as its own patches change it in the page without the row:
 * the row is the same as the page's when the rest of it is, and each such element is as the page last got it.
 *
 * @param shell a hash of the element's own start tag: when it changes, the element is sent whole
 * @param rows the rows in order, by id
 */
record KeyedRows(long shell, Map<String, Row> rows) {

	private static final Set<String> VOID = Set.of("area", "base", "br", "col", "embed", "hr", "img", "input", "link",
			"meta", "source", "track", "wbr");

	private static final Set<String> RAW = Set.of("script", "style", "textarea", "title");

	/**
	 * A row.
	 *
	 * @param start where its HTML starts in the element's
	 * @param end where it ends
	 * @param hash the hash of its HTML, without the elements in it that re-render on their own
	 * @param inner the hashes of those elements, by id, each without the ones in it; none is one empty map
	 */
	record Row(int start, int end, long hash, Map<String, Long> inner) {

		String html(String of) {
			return of.substring(this.start, this.end);
		}

	}

	/** The keys the page holds of a list: what {@link #diff} compares a fresh render with. */
	record Page(long shell, List<String> ids, Map<String, Long> hashes) {

		static Page of(KeyedRows rows) {
			Map<String, Long> hashes = new LinkedHashMap<>();
			rows.rows.forEach((id, row) -> hashes.put(id, row.hash));
			return new Page(rows.shell, List.copyOf(hashes.keySet()), hashes);
		}

	}

	/**
	 * Read the rows of the element that starts at an offset, with no element in them that re-renders on its own.
	 * @param html rendered HTML
	 * @param from where the element's start tag begins
	 * @return its rows, or {@code null} if its children are not all elements with ids
	 */
	static @Nullable KeyedRows of(String html, int from) {
		return of(html, from, (id) -> false);
	}

	/**
	 * Read the rows of the element that starts at an offset.
	 * @param html rendered HTML
	 * @param from where the element's start tag begins
	 * @param tracked whether the element with this id re-renders on its own
	 * @return its rows, or {@code null} if its children are not all elements with ids
	 */
	static @Nullable KeyedRows of(String html, int from, Predicate<String> tracked) {
		Scanner scanner = new Scanner(html, from);
		Tag root = scanner.tag();
		if (root == null || root.closing || root.empty) {
			return null;
		}
		Map<String, Row> rows = new LinkedHashMap<>();
		while (true) {
			if (scanner.skipText()) {
				return null;
			}
			int start = scanner.pos;
			Tag child = scanner.tag();
			if (child == null) {
				return null;
			}
			if (child.closing) {
				if (!child.name.equals(root.name) || rows.isEmpty()) {
					return null;
				}
				return new KeyedRows(hash(html, from, root.end), rows);
			}
			if (child.id == null || rows.containsKey(child.id) || (!child.empty && !scanner.skipBody(child.name))) {
				return null;
			}
			Map<String, Long> inner = new HashMap<>(0);
			long hash = hash(html, start, scanner.pos, tracked, inner);
			if (tracked.test(child.id)) { // the row itself: a patch of its own changes it as much as one in it
				inner.put(child.id, hash);
				hash = mark(FNV_BASIS, child.id);
			}
			rows.put(child.id, new Row(start, scanner.pos, hash, inner.isEmpty() ? Map.of() : inner));
		}
	}

	/**
	 * The hash of an element's HTML without the elements in it that re-render on their own, each of which leaves
	 * its id in their place and its own hash in {@code inner}.
	 * @param html rendered HTML
	 * @param start where the element's start tag begins
	 * @param end where the element ends
	 * @param tracked whether the element with this id re-renders on its own
	 * @param inner where the hashes of those in it go, by id
	 * @return its hash
	 */
	static long hash(String html, int start, int end, Predicate<String> tracked, Map<String, Long> inner) {
		Scanner scanner = new Scanner(html, start);
		Tag root = scanner.tag();
		long hash = FNV_BASIS;
		int from = start;
		while (root != null && !root.empty && !RAW.contains(root.name) && scanner.pos < end) {
			scanner.skipText();
			int at = scanner.pos;
			Tag tag = (at < end) ? scanner.tag() : null;
			if (tag == null) {
				break; // markup it cannot follow: hashed as it is
			}
			if (tag.closing) {
				continue;
			}
			if (tag.id != null && tracked.test(tag.id)) {
				if (!tag.empty && !scanner.skipBody(tag.name)) {
					break;
				}
				inner.put(tag.id, hash(html, at, scanner.pos, tracked, inner));
				hash = mark(fnv(hash, html, from, at), tag.id);
				from = scanner.pos;
			}
			else if (!tag.empty && RAW.contains(tag.name) && !scanner.skipBody(tag.name)) {
				break;
			}
		}
		return fnv(hash, html, from, end);
	}

	/**
	 * Find an element by id in rendered HTML, and read its rows.
	 * @param html rendered HTML
	 * @param id the element's id
	 * @param tracked whether the element with this id re-renders on its own
	 * @return its rows, or {@code null} if it is not there or its children are not keyed rows
	 */
	static @Nullable KeyedRows find(String html, String id, Predicate<String> tracked) {
		int at = html.indexOf(" id=\"" + id + "\"");
		int start = (at < 0) ? -1 : html.lastIndexOf('<', at);
		return (start < 0) ? null : of(html, start, tracked);
	}

	private static final long FNV_BASIS = 0xcbf29ce484222325L;

	/** FNV-1a, 64 bits, over the chars. */
	private static long hash(String html, int start, int end) {
		return fnv(FNV_BASIS, html, start, end);
	}

	private static long fnv(long hash, String chars, int start, int end) {
		for (int i = start; i < end; i++) {
			hash ^= chars.charAt(i);
			hash *= 0x100000001b3L;
		}
		return hash;
	}

	/** Where an element that is hashed on its own was: its id, between two NULs. */
	private static long mark(long hash, String id) {
		return fnv(fnv(fnv(hash, "\0", 0, 1), id, 0, id.length()), "\0", 0, 1);
	}

	private record Tag(String name, @Nullable String id, boolean closing, boolean empty, int end) {
	}

	/** Walks tags and text, skipping comments. Knows void and raw-text elements; nothing more. */
	private static final class Scanner {

		private final String html;

		private int pos;

		Scanner(String html, int pos) {
			this.html = html;
			this.pos = pos;
		}

		/** Skip text and comments up to the next tag; return whether there was text that is not blank. */
		boolean skipText() {
			boolean text = false;
			while (this.pos < this.html.length()) {
				if (this.html.startsWith("<!--", this.pos)) {
					int end = this.html.indexOf("-->", this.pos + 4);
					this.pos = (end < 0) ? this.html.length() : end + 3;
				}
				else if (this.html.charAt(this.pos) == '<') {
					return text;
				}
				else {
					text |= !Character.isWhitespace(this.html.charAt(this.pos));
					this.pos++;
				}
			}
			return text;
		}

		/** The tag at the position, after which the position is; {@code null} if there is none. */
		@Nullable Tag tag() {
			if (this.pos >= this.html.length() || this.html.charAt(this.pos) != '<') {
				return null;
			}
			int i = this.pos + 1;
			boolean closing = i < this.html.length() && this.html.charAt(i) == '/';
			if (closing) {
				i++;
			}
			int nameStart = i;
			while (i < this.html.length() && isNameChar(this.html.charAt(i))) {
				i++;
			}
			if (i == nameStart) {
				return null;
			}
			String name = this.html.substring(nameStart, i).toLowerCase(Locale.ROOT);
			String id = null;
			boolean selfClosed = false;
			while (i < this.html.length()) {
				char c = this.html.charAt(i);
				if (c == '>') {
					break;
				}
				if (c == '/' && i + 1 < this.html.length() && this.html.charAt(i + 1) == '>') {
					selfClosed = true;
					i++;
					break;
				}
				if (Character.isWhitespace(c)) {
					i++;
					continue;
				}
				int attrStart = i;
				while (i < this.html.length() && !Character.isWhitespace(this.html.charAt(i))
						&& "=>/".indexOf(this.html.charAt(i)) < 0) {
					i++;
				}
				String attr = this.html.substring(attrStart, i);
				String value = null;
				if (i < this.html.length() && this.html.charAt(i) == '=') {
					i++;
					char quote = (i < this.html.length()) ? this.html.charAt(i) : ' ';
					if (quote == '"' || quote == '\'') {
						int end = this.html.indexOf(quote, i + 1);
						if (end < 0) {
							return null;
						}
						value = this.html.substring(i + 1, end);
						i = end + 1;
					}
					else {
						int valueStart = i;
						while (i < this.html.length() && !Character.isWhitespace(this.html.charAt(i)) && this.html.charAt(i) != '>') {
							i++;
						}
						value = this.html.substring(valueStart, i);
					}
				}
				if (attr.equalsIgnoreCase("id") && value != null && !value.isEmpty()) {
					id = value;
				}
				if (attrStart == i) {
					return null;
				}
			}
			if (i >= this.html.length()) {
				return null;
			}
			this.pos = i + 1;
			return new Tag(name, id, closing, !closing && (selfClosed || VOID.contains(name)), this.pos);
		}

		/** Skip to just after the end tag that closes an element whose start tag was just read. */
		boolean skipBody(String name) {
			if (RAW.contains(name)) {
				int end = indexOfEnd(name);
				if (end < 0) {
					return false;
				}
				this.pos = end;
				Tag close = tag();
				return close != null && close.closing;
			}
			List<String> open = new ArrayList<>(List.of(name));
			while (!open.isEmpty()) {
				skipText();
				Tag tag = tag();
				if (tag == null) {
					return false;
				}
				if (tag.closing) {
					if (!tag.name.equals(open.get(open.size() - 1))) {
						return false;
					}
					open.remove(open.size() - 1);
				}
				else if (RAW.contains(tag.name)) {
					if (!skipBody(tag.name)) {
						return false;
					}
				}
				else if (!tag.empty) {
					open.add(tag.name);
				}
			}
			return true;
		}

		/** Where the first end tag of a raw-text element is, in any case, from the position; -1 if none. */
		private int indexOfEnd(String name) {
			for (int at = this.html.indexOf("</", this.pos); at >= 0; at = this.html.indexOf("</", at + 2)) {
				if (this.html.regionMatches(true, at + 2, name, 0, name.length())) {
					return at;
				}
			}
			return -1;
		}

		private static boolean isNameChar(char c) {
			return Character.isLetterOrDigit(c) || c == '-' || c == ':' || c == '_';
		}

	}

}
