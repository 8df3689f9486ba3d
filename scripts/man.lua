-- SPDX-License-Identifier: GPL-2.0
--
-- man.lua - pandoc filter that turns a page of Documentation/ into a man
-- page (pandoc -s -t man --lua-filter scripts/man.lua, from scripts/mkman.sh).
--
-- The Markdown stays a GitHub page: its only man-specific part is one
-- invisible line,
--     <!-- man: perf-prof-top(1) -->
--     <!-- man: perf-prof-expressions(7) the expression language -->
-- naming the page, its section and (for pages that are not profilers) the
-- one-line description of the NAME section. Everything else a man page
-- needs is made here, from the document and from the binary itself, so that
-- the page and `perf-prof PROFILER -h` cannot disagree:
--   NAME         the page name and the profiler's summary (--list-cmds)
--   SYNOPSIS     the document's "Synopsis" section
--   DESCRIPTION  the text before the first "##" section
--   OPTIONS      the option tables (`perf-prof PROFILER --list-opts`), then
--                the document's own "Options" section, if any
--   EXAMPLES     the EXAMPLES of `perf-prof PROFILER -h`, then the
--                document's "Examples" section, if any
--   SEE ALSO     perf-prof(1) and every page the document refers to
-- The document's other "##" sections follow DESCRIPTION in their order.
-- References to other pages ("expressions.md") become perf-prof-expressions(7).
--
-- Metadata (-M): perf-prof (the binary), manpages ("BASE:SECTION ..." for
-- every page built, BASE being the Markdown file's name without .md),
-- footer (the version).

local binary = nil
local sections = {}   -- BASE -> section of every page built
local refs = {}       -- BASE -> true for each page the document refers to

local function page_name(base)
  if base == "perf-prof" then
    return base
  end
  return "perf-prof-" .. base
end

------------------------------------------------------------ roff text

-- roff text for verbatim @text. Hyphens become minus signs (\-), so an
-- option neither breaks across lines nor copies as a Unicode hyphen; \&
-- keeps a leading dot from being read as a request. Long text (JSON, a
-- command) gets a break point after each separator: groff cannot fill a
-- line around one word wider than the line, and warns.
local roff_escapes = {
  ["\\"] = "\\[rs]", ["-"] = "\\-", ["'"] = "\\[aq]", ['"'] = "\\[dq]",
  ["`"] = "\\[ga]", ["~"] = "\\[ti]", ["^"] = "\\[ha]",
}

local function roff_verbatim(text)
  local out = { "\\&" }
  local long = #text > 30
  for c in text:gmatch(".") do
    out[#out + 1] = roff_escapes[c] or c
    if long and c:match("[,;/&|]") then
      out[#out + 1] = "\\:"
    end
  end
  return table.concat(out)
end

-- a page reference in man style: bold name, then the section
local function page_ref(base)
  return { pandoc.RawInline("man", "\\f[B]" .. roff_verbatim(page_name(base)) .. "\\f[R](" .. sections[base] .. ")") }
end

local function words(text)
  local out = pandoc.List()
  for w in text:gmatch("%S+") do
    if #out > 0 then
      out:insert(pandoc.Space())
    end
    out:insert(pandoc.Str(w))
  end
  return out
end

local function run(args)
  return pandoc.pipe(binary, args, "")
end

local function split_tabs(line)
  local f = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    f[#f + 1] = field
  end
  return f
end

------------------------------------------------------------ configuration

local function read_meta(meta)
  binary = pandoc.utils.stringify(meta["perf-prof"] or "")
  if binary == "" then
    error("man.lua: needs -M perf-prof=PATH-OF-THE-BINARY")
  end
  for base, sect in pandoc.utils.stringify(meta.manpages or ""):gmatch("([%w%-_]+):(%d)") do
    sections[base] = sect
  end
end

------------------------------------------------------------ references

-- base of a reference to another page: "expressions.md",
-- "Documentation/expressions.md", "expressions.md#errors"
local function ref_base(text)
  local base = text:match("^[%w%./]-([%w%-_]+)%.md$") or text:match("^[%w%./]-([%w%-_]+)%.md#[%w%-_]*$")
  if base and sections[base] then
    return base
  end
  return nil
end

local function rewrite_code(el)
  local base = ref_base(el.text)
  if base then
    refs[base] = true
    return page_ref(base)
  end
  return pandoc.RawInline("man", "\\f[V]" .. roff_verbatim(el.text) .. "\\f[R]")
end

-- words that are options (--name, -e) in running text, as in code
local function rewrite_option(el)
  if el.text:match("^%-") then
    return pandoc.RawInline("man", roff_verbatim(el.text))
  end
  return nil
end

local function rewrite_link(el)
  local base = ref_base(el.target)
  if not base then
    return nil
  end
  refs[base] = true
  local text = pandoc.utils.stringify(el.content)
  if ref_base(text) == base then
    return page_ref(base)
  end
  return el.content
end

------------------------------------------------------------ tables

-- the inlines of a cell, for a tag
local function cell_inlines(blocks)
  if #blocks == 1 and (blocks[1].t == "Plain" or blocks[1].t == "Para") then
    return blocks[1].content
  end
  return words(pandoc.utils.stringify(blocks))
end

-- Tables become tagged paragraphs, one a row: the first cell is the tag,
-- the others its text, each after its column's title when there are more
-- than two. tbl lays out the long cells of these tables (code, commands) in
-- columns a few characters wide, where groff warns on every line it cannot
-- fill; a man page reads better as a list anyway.
local function table_to_list(tbl)
  local t = pandoc.utils.to_simple_table(tbl)
  local items = pandoc.List()
  local titles = {}
  for j, h in ipairs(t.headers) do
    titles[j] = pandoc.utils.stringify(h)
  end
  for _, row in ipairs(t.rows) do
    local def = pandoc.List()
    for j = 2, #row do
      local content = cell_inlines(row[j])
      if #content > 0 then
        local line = pandoc.List()
        if #row > 2 and titles[j] ~= "" then
          line:extend({ pandoc.Emph(words(titles[j] .. ":")), pandoc.Space() })
        end
        line:extend(content)
        def:insert(pandoc.Para(line))
      end
    end
    if #items > 0 and #cell_inlines(row[1]) == 0 then
      -- a row without a first cell continues the one above
      items[#items][2][1]:extend(def)
    else
      items:insert({ cell_inlines(row[1]), { def } })
    end
  end
  return pandoc.DefinitionList(items)
end

------------------------------------------------------------ generated parts

-- the title of a set of options in the man page
local function set_title(title, profiler)
  if title == "OPTIONS" then
    return "Common options"
  elseif title == "PROFILER OPTIONS" then
    return "Options of " .. profiler
  elseif title == "EVENT ATTRIBUTES" then
    return "Event attributes"
  end
  return title
end

local function option_term(f)
  local kind, short, long, arg = f[2], f[3], f[4], f[5]
  local term = pandoc.List()
  if short ~= "-" then
    term:insert(pandoc.Strong({ pandoc.Str(short) }))
  end
  if long ~= "-" then
    if #term > 0 then
      term:extend({ pandoc.Str(","), pandoc.Space() })
    end
    term:insert(pandoc.Strong({ pandoc.Str(long) }))
  end
  if arg ~= "-" then
    if kind == "optional" then
      term:extend({ pandoc.Str("[="), pandoc.Emph({ pandoc.Str(arg) }), pandoc.Str("]") })
    else
      term:extend({ pandoc.Space(), pandoc.Emph({ pandoc.Str(arg) }) })
    end
  end
  return term
end

-- OPTIONS from `perf-prof [PROFILER] --list-opts`
local function options_blocks(profiler, own)
  local args = profiler and { profiler, "--list-opts" } or { "--list-opts" }
  local blocks, order, groups, attrs = pandoc.List(own or {}), {}, {}, {}
  for line in run(args):gmatch("[^\n]+") do
    local f = split_tabs(line)
    if #f ~= 6 then
      error("man.lua: unexpected --list-opts line: " .. line)
    end
    if f[2] == "attr" then
      attrs[#attrs + 1] = f[4]
    else
      if not groups[f[1]] then
        groups[f[1]] = pandoc.List()
        order[#order + 1] = f[1]
      end
      groups[f[1]]:insert({ option_term(f), { { pandoc.Plain(words(f[6])) } } })
    end
  end
  for _, title in ipairs(order) do
    if #order > 1 or #attrs > 0 or #blocks > 0 then
      blocks:insert(pandoc.Header(2, words(set_title(title, profiler))))
    end
    blocks:insert(pandoc.DefinitionList(groups[title]))
  end
  if #attrs > 0 then
    local para = pandoc.List({ pandoc.Str("Attributes an event of " .. profiler .. " accepts"), pandoc.Space(),
      pandoc.Str("(-e"), pandoc.Space(), pandoc.Str("'EVENT//ATTR/',"), pandoc.Space(),
      pandoc.Str("see"), pandoc.Space() })
    para:extend(page_ref("event-selectors"))
    para:insert(pandoc.Str("):"))
    for i, a in ipairs(attrs) do
      para:extend({ pandoc.Space(), pandoc.Strong({ pandoc.Str(a) }) })
      if i < #attrs then
        para:insert(pandoc.Str(","))
      end
    end
    para:insert(pandoc.Str("."))
    refs["event-selectors"] = true
    blocks:insert(pandoc.Header(2, words(set_title("EVENT ATTRIBUTES"))))
    blocks:insert(pandoc.Para(para))
  end
  return blocks
end

-- the EXAMPLES block of `perf-prof PROFILER -h`
local function help_examples(profiler)
  local lines, inside = {}, false
  for line in (run({ profiler, "-h" }) .. "\n"):gmatch("([^\n]*)\n") do
    if line == "EXAMPLES" then
      inside = true
    elseif inside and line == "" then
      break
    elseif inside then
      lines[#lines + 1] = (line:gsub("^    ", ""))
    end
  end
  if #lines == 0 then
    return pandoc.List()
  end
  return pandoc.List({ pandoc.CodeBlock(table.concat(lines, "\n")) })
end

-- PROFILERS of perf-prof(1), from `perf-prof --list-cmds`
local function profilers_blocks()
  local items = pandoc.List()
  for line in run({ "--list-cmds" }):gmatch("[^\n]+") do
    local name, summary = line:match("^([^\t]+)\t(.*)$")
    if name then
      local def = words(summary .. ";")
      def:insert(pandoc.Space())
      if sections[name] then
        refs[name] = true
        def:extend(page_ref(name))
      else
        def:extend(words("perf-prof " .. name .. " -h"))
      end
      def:insert(pandoc.Str("."))
      items:insert({ { pandoc.Strong({ pandoc.Str(name) }) }, { { pandoc.Plain(def) } } })
    end
  end
  return pandoc.List({ pandoc.DefinitionList(items) })
end

local function see_also(self)
  local bases = {}
  for base in pairs(refs) do
    if base ~= self then
      bases[#bases + 1] = base
    end
  end
  if self ~= "perf-prof" then
    bases[#bases + 1] = "perf-prof"
  end
  table.sort(bases, function(a, b)
    if sections[a] ~= sections[b] then
      return sections[a] < sections[b]
    end
    return page_name(a) < page_name(b)
  end)
  local para = pandoc.List()
  for i, base in ipairs(bases) do
    para:extend(page_ref(base))
    if i < #bases then
      para:extend({ pandoc.Str(","), pandoc.Space() })
    end
  end
  return pandoc.List({ pandoc.Para(para) })
end

------------------------------------------------------------ the page

-- "Examples (the live tests run these)" -> "examples"
local function section_key(title)
  return (title:lower():gsub("%s*%(.*%)%s*$", ""))
end

local function upper_inlines(inlines)
  return pandoc.walk_inline(pandoc.Span(inlines), {
    Str = function(s)
      return pandoc.Str(s.text:upper())
    end,
  }).content
end

-- the marker line: page name, section, description
local function take_marker(blocks)
  for i, b in ipairs(blocks) do
    if b.t == "RawBlock" and b.format == "html" then
      local name, sect, desc = b.text:match("^<!%-%-%s*man:%s*([%w%-_]+)%((%d)%)%s*(.-)%s*%-%->$")
      if name then
        blocks:remove(i)
        return name, sect, desc
      end
    end
  end
  error("man.lua: no '<!-- man: NAME(SECTION) [DESCRIPTION] -->' line in the document")
end

local function build(doc)
  local blocks = pandoc.List(doc.blocks)
  local name, sect, desc = take_marker(blocks)
  local base = name == "perf-prof" and name or name:gsub("^perf%-prof%-", "")
  local profiler = nil
  local intro, secs = pandoc.List(), {}

  -- a page named after a registered profiler documents it
  for line in run({ "--list-cmds" }):gmatch("[^\n]+") do
    local n, summary = line:match("^([^\t]+)\t(.*)$")
    if n == base then
      profiler = n
      if desc == "" then
        desc = summary
      end
    end
  end
  if desc == "" then
    error("man.lua: " .. name .. " is no profiler: its marker line needs a description")
  end

  -- split at "##": the H1 title goes (NAME replaces it), deeper levels move up one
  local cur = nil
  for _, b in ipairs(blocks) do
    if b.t == "Header" and b.level == 1 then
      -- the page title
    elseif b.t == "Header" and b.level == 2 then
      cur = { title = b.content, key = section_key(pandoc.utils.stringify(b.content)), blocks = pandoc.List() }
      secs[#secs + 1] = cur
    elseif b.t == "Header" then
      b.level = b.level - 1
      cur.blocks:insert(b)
    elseif cur then
      cur.blocks:insert(b)
    else
      intro:insert(b)
    end
  end

  local out = pandoc.List()
  local function add(title, content)
    out:insert(pandoc.Header(1, upper_inlines(title)))
    out:extend(content)
  end
  local function find(key)
    for _, s in ipairs(secs) do
      if s.key == key and not s.used then
        s.used = true
        return s.blocks
      end
    end
    return nil
  end

  add(words("NAME"), { pandoc.Plain(words(name .. " - " .. desc)) })
  local synopsis = find("synopsis")
  if synopsis then
    add(words("SYNOPSIS"), synopsis)
  elseif sect == "1" then
    error("man.lua: " .. name .. " has no '## Synopsis' section")
  end
  if #intro == 0 then
    -- no text before the first section: that section opens DESCRIPTION
    for _, s in ipairs(secs) do
      if not s.used then
        s.used = true
        intro:insert(pandoc.Header(2, s.title))
        intro:extend(s.blocks)
        break
      end
    end
  end
  add(words("DESCRIPTION"), intro)
  if base == "perf-prof" then
    local own = find("profilers")
    if not own then
      error("man.lua: perf-prof.md needs a '## Profilers' section")
    end
    -- the registry's list replaces the Markdown's table of links
    add(words("PROFILERS"), profilers_blocks())
  end
  if profiler or base == "perf-prof" then
    -- the document's own words on options first, then the complete tables
    add(words("OPTIONS"), options_blocks(profiler, find("options")))
  end
  local examples = pandoc.List()
  if profiler then
    examples = help_examples(profiler)
  end
  for _, s in ipairs(secs) do
    if not s.used and s.key == "examples" then
      s.used = true
      local note = pandoc.utils.stringify(s.title):match("%((.+)%)")
      if note and #examples > 0 then
        examples:insert(pandoc.Para(words(note:sub(1, 1):upper() .. note:sub(2) .. ":")))
      end
      examples:extend(s.blocks)
      add(words("EXAMPLES"), examples)
      examples = nil
    elseif not s.used and s.key ~= "see also" then
      s.used = true
      add(s.title, s.blocks)
    end
  end
  if examples and #examples > 0 then
    add(words("EXAMPLES"), examples)
  end
  add(words("SEE ALSO"), see_also(base))
  -- ragged right, no hyphenation: a line holding a long verbatim word cannot
  -- be justified (groff warns), identifiers must not be split,
  -- and git's pages are set the same way
  out:insert(1, pandoc.RawBlock("man", ".ad l\n.nh"))

  doc.meta.title = pandoc.MetaString(name:upper())
  doc.meta.section = pandoc.MetaString(sect)
  doc.meta.header = pandoc.MetaString("perf-prof Manual")
  return pandoc.Pandoc(out, doc.meta)
end

return {
  { Meta = read_meta },
  { Code = rewrite_code, Link = rewrite_link, Table = table_to_list },
  { Pandoc = build },
  { Str = rewrite_option },
}
