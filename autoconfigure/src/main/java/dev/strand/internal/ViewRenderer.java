package dev.strand.internal;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.strand.View;

/**
 * Turns a view's changed assigns into HTML patches for its page. Set on a view by its first (dead) render;
 * called on the view's mailbox only.
 */
public interface ViewRenderer {

	/**
	 * Render the elements that depend on the changed keys.
	 * @param view the view
	 * @param changed the keys changed since the last render
	 * @return the patches
	 */
	List<Patch> render(View view, Set<String> changed);

	/**
	 * Render every element Strand tracks, for a browser that must resynchronise.
	 * @param view the view
	 * @return the patches
	 */
	List<Patch> renderAll(View view);

	/**
	 * Render a chunk through the fragment its stream container names.
	 * @param view the view
	 * @param task the task's name
	 * @param chunk the chunk
	 * @return the HTML, or {@code null} if the chunk is sent as text or JSON
	 */
	@Nullable String renderChunk(View view, String task, Object chunk);

	/**
	 * An element's new HTML.
	 *
	 * @param target the element's id
	 * @param op how to apply it: {@code replace}, {@code append}, {@code prepend} or {@code remove}
	 * @param html the HTML
	 */
	record Patch(String target, String op, String html) {
	}

}
