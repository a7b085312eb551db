package dev.strand.internal;

import java.util.List;
import java.util.SequencedMap;
import java.util.Set;

/**
 * Turns one tab's changed assigns into HTML patches for its page. Learned by the page's first render; called
 * on the tab's mailbox only.
 */
public interface TabRenderer {

	/**
	 * Render the elements that depend on the changed keys. One that fails to render is left as the page has it,
	 * and does not stop the others.
	 * @param changed the keys changed since the last render
	 * @return the patches
	 * @throws PartlyRendered if some elements failed to render: it holds the patches of the others
	 */
	List<WireEvent.Patch> render(Set<String> changed);

	/**
	 * Render every element Strand tracks, for a browser that must resynchronise: each as the page would have
	 * it had it missed nothing, stream containers with the chunks appended to them.
	 * @return the patches, in the order they are to be applied
	 */
	List<WireEvent.Patch> renderAll();

	/**
	 * Take a chunk on its way to the page: render it through the fragment its stream container names, if it
	 * names one, and remember it as part of what its containers hold, which {@link #renderAll()} draws.
	 * @param event the chunk as it goes to the page
	 * @param chunk the chunk
	 * @return the event, with its HTML when a fragment renders it
	 */
	WireEvent.Chunk chunk(WireEvent.Chunk event, Object chunk);

	/**
	 * The tab has ended: its stream containers' histories are dropped, and what they took from the server's budget
	 * goes back (callbacks that run on the closed view may still add to them, uncounted).
	 */
	default void close() {
	}

	/**
	 * Return a URL as the page's own links have it: a path under the application's context path.
	 * @param url a path that starts with {@code /}, or an absolute URL
	 * @return the URL for the page
	 */
	default String url(String url) {
		return url;
	}

	/**
	 * Some elements of a render failed: the page is to get the others' patches all the same. The first failure
	 * is the cause, the others are suppressed.
	 */
	final class PartlyRendered extends RuntimeException {

		private final transient List<WireEvent.Patch> patches;

		/**
		 * Create one.
		 * @param failures each element that failed, by id, in the order they rendered
		 * @param patches the patches of the others
		 */
		public PartlyRendered(SequencedMap<String, RuntimeException> failures, List<WireEvent.Patch> patches) {
			super("Could not render " + failures.sequencedKeySet(), failures.firstEntry().getValue());
			failures.sequencedValues().stream().skip(1).forEach(this::addSuppressed);
			this.patches = List.copyOf(patches);
		}

		/**
		 * Return the patches of the elements that rendered.
		 * @return the patches
		 */
		public List<WireEvent.Patch> patches() {
			return this.patches;
		}

	}

}
