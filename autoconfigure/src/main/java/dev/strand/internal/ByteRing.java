package dev.strand.internal;

import java.nio.charset.StandardCharsets;

/**
 * The newest bytes of a stream of records, such as a tab's events or the chunks a container shows, kept as
 * UTF-8 in one circular buffer instead of as an object per record: what a busy tab keeps for seconds or minutes
 * is then nothing the garbage collector copies or promotes. The owner says where each record ends and drops the
 * oldest first; positions are counted in bytes added since the ring began. The buffer is made with the first
 * record, grows by doubling up to a budget (beyond it only for a record larger than the budget) and shrinks back
 * once such a record is gone. Not thread-safe: its owner guards it.
 */
public final class ByteRing {

	private static final int INITIAL_BYTES = 256;

	private static final byte[] NO_BYTES = {};

	private final long budget;

	private byte[] data = NO_BYTES;

	/** The bytes added since the ring began: where the newest record ends. */
	private long end;

	/** The bytes kept, the newest ones. */
	private long kept;

	/**
	 * Create a ring.
	 * @param budget the bytes it is sized for; one record larger than that still fits
	 */
	public ByteRing(long budget) {
		this.budget = budget;
	}

	/**
	 * Return where the newest record ends: the bytes added since the ring began.
	 * @return the position
	 */
	public long end() {
		return this.end;
	}

	/**
	 * Return the bytes kept.
	 * @return the bytes
	 */
	public long kept() {
		return this.kept;
	}

	/** The buffer's size, for tests: what a ring holds on to. */
	int capacity() {
		return this.data.length;
	}

	/**
	 * Add a record after the others, encoded straight into the ring; the owner has dropped what must go to keep
	 * within its budget.
	 * @param text the record
	 * @param length its length in UTF-8, from {@link #utf8Length}
	 * @return where it ends
	 */
	public long add(CharSequence text, int length) {
		if (length == 0) {
			return this.end; // nothing to keep (and perhaps no buffer yet)
		}
		fit(length);
		int capacity = this.data.length;
		int at = (int) (this.end % capacity);
		if (at + length <= capacity) {
			encode(text, this.data, at, length);
		}
		else { // it wraps: once per turn of the ring
			byte[] bytes = new byte[length];
			encode(text, bytes, 0, length);
			int first = capacity - at;
			System.arraycopy(bytes, 0, this.data, at, first);
			System.arraycopy(bytes, first, this.data, 0, length - first);
		}
		this.end += length;
		this.kept += length;
		return this.end;
	}

	/**
	 * Return the length of text in UTF-8, as {@link String#getBytes} encodes it (a lone surrogate is {@code ?}).
	 * @param text the text
	 * @return its length in bytes
	 */
	public static int utf8Length(CharSequence text) {
		int length = text.length();
		int bytes = length;
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			if (c >= 0x80) {
				if (c < 0x800) {
					bytes++;
				}
				else if (Character.isSurrogate(c)) {
					if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
						bytes += 2; // four bytes for two chars
						i++;
					}
					// else one byte: '?'
				}
				else {
					bytes += 2;
				}
			}
		}
		return bytes;
	}

	private static void encode(CharSequence text, byte[] into, int at, int length) {
		int to = at;
		int chars = text.length();
		for (int i = 0; i < chars; i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				into[to++] = (byte) c;
			}
			else if (c < 0x800) {
				into[to++] = (byte) (0xC0 | (c >> 6));
				into[to++] = (byte) (0x80 | (c & 0x3F));
			}
			else if (Character.isSurrogate(c)) {
				if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(text.charAt(i + 1))) {
					int code = Character.toCodePoint(c, text.charAt(++i));
					into[to++] = (byte) (0xF0 | (code >> 18));
					into[to++] = (byte) (0x80 | ((code >> 12) & 0x3F));
					into[to++] = (byte) (0x80 | ((code >> 6) & 0x3F));
					into[to++] = (byte) (0x80 | (code & 0x3F));
				}
				else {
					into[to++] = '?';
				}
			}
			else {
				into[to++] = (byte) (0xE0 | (c >> 12));
				into[to++] = (byte) (0x80 | ((c >> 6) & 0x3F));
				into[to++] = (byte) (0x80 | (c & 0x3F));
			}
		}
		if (to - at != length) {
			throw new IllegalArgumentException("The text is " + (to - at) + " bytes in UTF-8, not " + length);
		}
	}

	/**
	 * Drop the oldest bytes kept.
	 * @param bytes how many: the oldest record's length, or several's
	 */
	public void drop(long bytes) {
		this.kept -= bytes;
	}

	/** Drop everything kept. */
	public void clear() {
		this.kept = 0;
	}

	/**
	 * Return kept bytes as text.
	 * @param end where they end
	 * @param length how many
	 * @return the text they encode
	 */
	public String read(long end, int length) {
		if (length == 0) {
			return "";
		}
		int capacity = this.data.length;
		int at = (int) ((end - length) % capacity);
		if (at + length <= capacity) {
			return new String(this.data, at, length, StandardCharsets.UTF_8);
		}
		byte[] joined = new byte[length];
		int first = capacity - at;
		System.arraycopy(this.data, at, joined, 0, first);
		System.arraycopy(this.data, 0, joined, first, length - first);
		return new String(joined, StandardCharsets.UTF_8);
	}

	/**
	 * Return everything kept as text.
	 * @return the text
	 */
	public String readAll() {
		return (this.kept == 0) ? "" : read(this.end, (int) this.kept);
	}

	/** Make room for the kept bytes and this many more, growing or shrinking the buffer as the budget says. */
	private void fit(int bytes) {
		long needed = this.kept + bytes;
		int capacity = this.data.length;
		if (needed <= capacity && (capacity <= this.budget || needed > this.budget)) {
			return;
		}
		long size = Math.max(needed, Math.min(Math.max(INITIAL_BYTES, 2L * capacity), this.budget));
		if (size > Integer.MAX_VALUE - 8) {
			throw new IllegalStateException("A Strand ring cannot keep " + size + " bytes");
		}
		byte[] resized = new byte[(int) size];
		for (long at = this.end - this.kept; at < this.end;) {
			int from = (int) (at % capacity);
			int to = (int) (at % resized.length);
			int run = (int) Math.min(this.end - at, Math.min(capacity - from, resized.length - to));
			System.arraycopy(this.data, from, resized, to, run);
			at += run;
		}
		this.data = resized;
	}

}
