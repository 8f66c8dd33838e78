"""The edge speaks imgix: the Management API (sources, purges, assets, reports) in JSON:API,
and sources whose images the POPs serve, rendered by a Pillow service of our own.

- :mod:`edge.imgix.jsonapi`: documents, resource objects, errors;
- :mod:`edge.imgix.jsonapi_query`: sparse fieldsets, sort, filter, paging;
- :mod:`edge.imgix.keys`: API keys, permissions and the rate limit;
- :mod:`edge.imgix.deployment` and :mod:`edge.imgix.sources`: sources and their state;
- :mod:`edge.imgix.params`, :mod:`edge.imgix.render`: rendering parameters and Pillow ops
  (with :mod:`~edge.imgix.sizing`, :mod:`~edge.imgix.smart_crop`, :mod:`~edge.imgix.layers`,
  :mod:`~edge.imgix.blend_modes`, :mod:`~edge.imgix.animation`);
- :mod:`edge.imgix.cache_ttl`: the sources' cache TTL behaviours (pure rules);
- :mod:`edge.imgix.renderer`: the rendering service the POPs fill from;
- :mod:`edge.imgix.delivery`: the property that maps viewer URLs to internal ones;
- :mod:`edge.imgix.service`: everything wired to an :class:`~edge.stack.Edge`.
"""
