package dev.strand;

/**
 * How far a running task has come, as reported by {@link TaskContext#progress(long, long)}.
 *
 * @param done the units done
 * @param total the units in all, or {@code 0} when unknown
 */
public record Progress(long done, long total) {

	public Progress {
		if (done < 0 || total < 0) {
			throw new IllegalArgumentException(
					"Progress must not be negative, but got done=" + done + " and total=" + total);
		}
	}

	/**
	 * Return the fraction done, between 0 and 1, or 0 when the total is unknown.
	 * @return the fraction done
	 */
	public double fraction() {
		return (this.total == 0) ? 0 : Math.min(1.0, (double) this.done / this.total);
	}

	/**
	 * Return the percentage done, rounded down, between 0 and 100.
	 * @return the percentage done
	 */
	public int percent() {
		return (int) Math.floor(fraction() * 100);
	}

}
