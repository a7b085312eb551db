package dev.strand.demo;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The home page: links to the demos. It needs no view, because nothing on it changes. */
@Controller
class HomeController {

	@GetMapping("/")
	String home() {
		return "index";
	}

}
