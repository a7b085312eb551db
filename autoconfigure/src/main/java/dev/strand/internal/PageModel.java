package dev.strand.internal;

/** The names under which the web layer hands a page's tab and tokens to the templates. */
public final class PageModel {

	/** The model attribute (and exchange attribute) that holds the page's {@link Tab}. */
	public static final String TAB = "strandTab";

	/** The model attribute that holds Spring Security's CSRF token, when present. */
	public static final String CSRF_TOKEN = "strandCsrfToken";

	/** The model attribute that holds the name of the header the CSRF token goes in. */
	public static final String CSRF_HEADER = "strandCsrfHeader";

	private PageModel() {
	}

}
