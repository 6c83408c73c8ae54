//! The manual page (`lex-logs-setup manual`): the clap definitions rendered as one roff page.

use crate::cli::Cli;

/// The manual page (roff), self-contained: every subcommand's synopsis and options are in it
/// (clap_mangen would refer to one page per subcommand, which nothing generates).
pub fn manual_page() -> String {
    use clap_mangen::Man;
    let mut command = <Cli as clap::CommandFactory>::command();
    command.build();
    let global: Vec<clap::Id> = command
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().clone())
        .collect();
    let man = Man::new(command.clone());
    let mut page = Vec::new();
    let rendered: std::io::Result<()> = (|| {
        man.render_title(&mut page)?;
        man.render_name_section(&mut page)?;
        man.render_synopsis_section(&mut page)?;
        man.render_description_section(&mut page)?;
        man.render_options_section(&mut page)?;
        page.extend_from_slice(b".SH COMMANDS\n");
        for sub in command
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            // The global options are described once, above.
            let mut sub = sub.clone();
            for id in &global {
                sub = sub.mut_arg(id, |a| a.hide(true));
            }
            let sub_man = Man::new(sub.clone());
            let mut part = Vec::new();
            sub_man.render_synopsis_section(&mut part)?;
            sub_man.render_description_section(&mut part)?;
            if sub.get_arguments().any(|a| !a.is_hide_set()) {
                sub_man.render_options_section(&mut part)?;
            }
            page.extend_from_slice(format!(".SS \"{}\"\n", sub.get_name()).as_bytes());
            // Its sections become paragraphs of this subsection.
            for line in String::from_utf8_lossy(&part).lines() {
                if line.starts_with(".SH ") {
                    page.extend_from_slice(b".PP\n");
                } else {
                    page.extend_from_slice(line.as_bytes());
                    page.push(b'\n');
                }
            }
        }
        let mut extra = Vec::new();
        man.render_extra_section(&mut extra)?;
        let extra = String::from_utf8_lossy(&extra).replace(".SH EXTRA", ".SH \"EXIT STATUS\"");
        page.extend_from_slice(extra.as_bytes());
        man.render_version_section(&mut page)
    })();
    rendered.expect("rendering to memory does not fail");
    // Each part starts with the same two-line preamble (it defines a string); once is enough.
    let text = String::from_utf8_lossy(&page);
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for line in text.lines() {
        let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if !preamble || seen.insert(line) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
