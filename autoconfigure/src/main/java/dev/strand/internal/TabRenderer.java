package dev.strand.internal;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

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
	 * Render every element Strand tracks, for a browser that must resynchronise.
	 * @return the patches
	 */
	List<WireEvent.Patch> renderAll();

	/**
	 * Render a chunk through the fragment its stream container names.
	 * @param task the task's name
	 * @param chunk the chunk
	 * @return the HTML, or {@code null} if the chunk is sent as text or JSON
	 */
	@Nullable String renderChunk(String task, Object chunk);

	/**
	 * Return a URL as the page's own links have it: a path under the application's context path.
	 * @param url a path that starts with {@code /}, or an absolute URL
	 * @return the URL for the page
	 */
	default String url(String url) {
		return url;
	}

}
