// SPDX-License-Identifier: GPL-2.0
// flame.js - draws a flame graph tree ({"name","value","children"}, the
// `flame` member of the daemon's ProfProfile answer) as positioned boxes: root on top,
// click a box to zoom into it, hover for its samples, search to highlight.
'use strict';

const Flame = (() => {
  const ROW = 16;

  // a warm colour per function name, stable across redraws
  function colour(name) {
    let h = 0;
    for (let i = 0; i < name.length; i++)
      h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return 'hsl(' + (h % 50) + ',' + (70 + (h >> 8) % 25) + '%,' + (55 + (h >> 16) % 15) + '%)';
  }

  // parent links and depth, once per tree, so zoom can show the path up
  function link(node, parent, depth) {
    node.parent = parent;
    node.depth = depth;
    let max = depth;
    for (const c of node.children || [])
      max = Math.max(max, link(c, node, depth + 1));
    return max;
  }

  function Graph(el, info) {
    this.el = el;
    this.info = info;
    this.root = null;
    this.zoom = null;
    this.term = '';
  }

  Graph.prototype.set = function (tree) {
    this.root = tree;
    link(tree, null, 0);
    this.zoom = tree;
    this.draw();
  };

  Graph.prototype.box = function (node, x, w, frag) {
    const d = document.createElement('div');
    const total = this.root.value || 1;
    d.style.left = x + 'px';
    d.style.top = (node.depth * ROW) + 'px';
    d.style.width = w + 'px';
    d.style.background = colour(node.name);
    d.textContent = w > 30 ? node.name : '';
    d.title = node.name + ': ' + node.value + ' samples (' +
      (100 * node.value / total).toFixed(2) + '%)';
    if (this.term && node.name.includes(this.term))
      d.className = 'match';
    d.addEventListener('click', () => { this.zoom = node; this.draw(); });
    frag.appendChild(d);
  };

  // the zoomed node's subtree fills the width; its ancestors span it too
  Graph.prototype.draw = function () {
    if (!this.root)
      return;
    const width = this.el.clientWidth || 800;
    const frag = document.createDocumentFragment();
    const z = this.zoom;
    let deepest = z.depth;
    for (let a = z.parent; a; a = a.parent)
      this.box(a, 0, width, frag);
    const walk = (node, x, w) => {
      this.box(node, x, w, frag);
      deepest = Math.max(deepest, node.depth);
      let cx = x;
      for (const c of node.children || []) {
        const cw = w * c.value / (node.value || 1);
        if (cw >= 0.5)
          walk(c, cx, cw);
        cx += cw;
      }
    };
    walk(z, 0, width);
    this.el.replaceChildren(frag);
    // as tall as what is drawn: a zoomed subtree is shallower than the tree
    this.el.style.height = ((deepest + 1) * ROW) + 'px';
    this.describe();
  };

  Graph.prototype.describe = function () {
    let matched = 0;
    // a match's samples count once, not again for a match below it
    const walk = (node) => {
      if (this.term && node.name.includes(this.term)) {
        matched += node.value;
        return;
      }
      for (const c of node.children || [])
        walk(c);
    };
    walk(this.root);
    const total = this.root.value;
    let text = total + ' samples';
    if (this.term)
      text += ', "' + this.term + '" in ' + matched + ' (' +
        (total ? (100 * matched / total).toFixed(1) : '0') + '%)';
    this.info.textContent = text;
  };

  Graph.prototype.search = function (term) {
    this.term = term;
    this.draw();
  };

  Graph.prototype.reset = function () {
    this.zoom = this.root;
    this.draw();
  };

  return { Graph };
})();
