package dev.strand.test;

/**
 * An event a {@link TestTab}'s stream received, as the server sent it.
 *
 * @param id its id, monotonic per view
 * @param name its type: {@code patch}, {@code chunk}, {@code progress}, {@code outcome}, {@code flash},
 * {@code navigate}, {@code reset} or {@code close}
 * @param data its JSON data
 */
public record ReceivedEvent(long id, String name, String data) {

	@Override
	public String toString() {
		String data = (this.data.length() > 160) ? this.data.substring(0, 160) + "…" : this.data;
		return "#" + this.id + " " + this.name + " " + data;
	}

}
