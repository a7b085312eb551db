package dev.strand.internal;

import java.util.List;
import java.util.Set;

/**
 * Turns one tab's changed assigns into HTML patches for its page. Learned by the page's first render; called
 * on the tab's mailbox only.
 */
public interface TabRenderer {

	/**
	 * Render the elements that depend on the changed keys.
	 * @param changed the keys changed since the last render
	 * @return the patches
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

}
