"""The bundle's README.txt: what is inside and how to open it, in Chinese and then English."""

from __future__ import annotations

from collections.abc import Sequence

from geo.qgis.connections import TILES_FILE, WFS_FILE
from geo.qgis.layout import TITLE
from geo.qgis.project import LIVE_GROUP
from geo.qgis.qmd import BOUNDARY_CAVEAT, BOUNDARY_CAVEAT_EN
from geo.schema import LayerResult


def readme(results: Sequence[LayerResult], service_url: str, version: str) -> str:
    """README.txt of atlas.zip for ``results`` (the layers in atlas.gpkg)."""
    rows = "\n".join(f"  {r.layer.name:<18} {r.layer.title}（{len(r.gdf)} 条 / rows）"
                     for r in results)
    return f"""{TITLE} — QGIS 工程包 / QGIS bundle (ganzhou-atlas {version})

内容
  atlas.qgz        QGIS 工程：全部公开规划图层（已配置样式、中文字段别名、标注）、打印布局
  atlas.gpkg       GeoPackage：每个图层一张表，默认样式与元数据已写入，可单独打开
  metadata/*.qmd   各图层元数据（QGIS 元数据格式，ISO 19115 字段）
  {WFS_FILE}       OGC API – Features 连接（在线服务）
  {TILES_FILE}  矢量瓦片连接（在线服务）

图层
{rows}

使用步骤（QGIS 3.22 及以上）
  1. 将压缩包完整解压到任意文件夹；atlas.qgz 与 atlas.gpkg 须在同一文件夹。
  2. 双击 atlas.qgz，或在 QGIS 中选择「项目 > 打开」。图层按点在上、面在下排列；
     部分图层默认关闭，可在图层面板中勾选。
  3. 打印布局：「项目 > 布局 > {TITLE}」，可导出 PDF 或图片。
  4. 图层组「{LIVE_GROUP}」从在线服务 {service_url} 读取最新数据
     （OGC API – Features 与矢量瓦片）；服务可访问时勾选即可。
  5. 导入连接：「图层 > 数据源管理器 > WFS / OGC API – 要素 > 加载」选择 {WFS_FILE}；
     「矢量瓦片 > 加载」选择 {TILES_FILE}。
  6. 元数据：「图层属性 > 元数据」；也可在此处「加载元数据」读取 metadata/*.qmd。
  注意：{BOUNDARY_CAVEAT}

Contents
  atlas.qgz        QGIS project: every public plan layer (styled, Chinese field aliases,
                   labels) and a print layout
  atlas.gpkg       GeoPackage: one table per layer, with its default style and metadata, so
                   it also opens styled on its own
  metadata/*.qmd   each layer's metadata (QGIS metadata XML, ISO 19115 fields)
  {WFS_FILE}       OGC API – Features connection to the live service
  {TILES_FILE}  vector-tile connection to the live service

Steps (QGIS 3.22 or later)
  1. Unzip everything into one folder; atlas.qgz and atlas.gpkg must stay side by side.
  2. Double-click atlas.qgz, or Project > Open in QGIS. Points are drawn over polygons; some
     layers start switched off (tick them in the Layers panel).
  3. Print layout: Project > Layouts > {TITLE}; export it to PDF or an image.
  4. The group "{LIVE_GROUP}" reads the newest data from the service at {service_url}
     (OGC API – Features and vector tiles); tick it when the service is reachable.
  5. Connections: Layer > Data Source Manager > WFS / OGC API – Features > Load, pick
     {WFS_FILE}; Vector Tiles > Load, pick {TILES_FILE}.
  6. Metadata: Layer Properties > Metadata (Load Metadata reads metadata/*.qmd).
  Caveat: {BOUNDARY_CAVEAT_EN}
"""
