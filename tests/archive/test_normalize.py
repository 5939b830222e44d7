import pytest

from archive.normalize import (
    InvalidURL,
    LinkKind,
    detect_kind,
    domain_of,
    is_pointer_word,
    link_label,
    normalize_url,
)


@pytest.mark.parametrize(
    "pasted, normalized",
    [
        # Tracking parameters go, whatever their case; the rest stay in their order.
        ("https://github.com/a/b?fbclid=IwAR2iWhR", "https://github.com/a/b"),
        ("https://example.com/?gclid=1&dclid=2&msclkid=3", "https://example.com/"),
        ("https://www.instagram.com/p/Cx/?igshid=abc", "https://www.instagram.com/p/Cx/"),
        ("https://example.com/news?mc_cid=1&mc_eid=2&id=7", "https://example.com/news?id=7"),
        (
            "https://example.com/a?utm_source=fb&utm_medium=social&utm_campaign=x&utm_term=y"
            "&utm_content=z",
            "https://example.com/a",
        ),
        ("https://example.com/a?UTM_Source=fb&FBCLID=x&q=1", "https://example.com/a?q=1"),
        ("https://example.com/s?z=1&utm_source=x&a=2&b=3", "https://example.com/s?z=1&a=2&b=3"),
        ("https://example.com/s?b=2&a=1", "https://example.com/s?b=2&a=1"),
        ("https://example.com/s?q=a%20b&fbclid=x", "https://example.com/s?q=a%20b"),
        ("https://example.com/s?flag&fbclid=x", "https://example.com/s?flag"),
        # Share-sheet parameters, on the sites that add them; elsewhere the names may matter.
        (
            "https://www.youtube.com/watch?v=aircAruvnKk&feature=share",
            "https://www.youtube.com/watch?v=aircAruvnKk",
        ),
        (
            "https://youtube.com/watch?v=aircAruvnKk&si=AbCdEf&t=42&pp=ygUF",
            "https://www.youtube.com/watch?v=aircAruvnKk&t=42",
        ),
        ("https://youtu.be/aircAruvnKk?si=AbCdEf&t=42", "https://youtu.be/aircAruvnKk?t=42"),
        (
            "https://m.youtube.com/watch?v=x&ab_channel=3Blue1Brown",
            "https://www.youtube.com/watch?v=x",
        ),
        ("https://www.instagram.com/reel/Cx/?igsh=MWQ1", "https://www.instagram.com/reel/Cx/"),
        ("https://open.spotify.com/episode/4rO?si=a1b2", "https://open.spotify.com/episode/4rO"),
        ("https://x.com/kakaobrain/status/1?s=20&t=AbC", "https://x.com/kakaobrain/status/1"),
        ("https://twitter.com/a/status/1?ref_src=twsrc", "https://twitter.com/a/status/1"),
        (
            "https://www.linkedin.com/posts/a-1?trk=public&lipi=x",
            "https://www.linkedin.com/posts/a-1",
        ),
        (
            "https://www.facebook.com/share/p/1/?mibextid=WC7FNe",
            "https://www.facebook.com/share/p/1/",
        ),
        ("https://shop.example/item?srsltid=AfmBOo&id=3", "https://shop.example/item?id=3"),
        (
            "https://example.com/search?feature=x&si=1&s=20&t=5",
            "https://example.com/search?feature=x&si=1&s=20&t=5",
        ),
        # Scheme and host case; the path keeps its case.
        ("HTTPS://GitHub.COM/KakaoBrain/Pororo", "https://github.com/KakaoBrain/Pororo"),
        ("Http://Example.com./Path", "http://example.com/Path"),
        # Default ports dropped, others kept.
        ("https://example.com:443/x", "https://example.com/x"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://example.com:443/x", "http://example.com:443/x"),
        ("http://[::1]:8000/x", "http://[::1]:8000/x"),
        # Internationalised names become punycode; Korean paths percent-encoded, escapes upper.
        ("https://한국.kr/소개", "https://xn--3e0b707e.kr/%EC%86%8C%EA%B0%9C"),
        ("https://BÜCHER.example/", "https://xn--bcher-kva.example/"),
        (
            "https://ko.wikipedia.org/wiki/%ec%9e%90%ec%97%b0",
            "https://ko.wikipedia.org/wiki/%EC%9E%90%EC%97%B0",
        ),
        # Fragments go, and so does an empty query.
        ("https://github.com/kakaobrain/pororo#readme", "https://github.com/kakaobrain/pororo"),
        ("https://example.com/a?#top", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        # One name per host that also answers under a mobile or www name.
        (
            "https://m.facebook.com/groups/TensorFlowKR/permalink/1411658372508550/?fbclid=x",
            "https://www.facebook.com/groups/TensorFlowKR/permalink/1411658372508550/",
        ),
        (
            "https://facebook.com/groups/TensorFlowKR/",
            "https://www.facebook.com/groups/TensorFlowKR/",
        ),
        (
            "https://m.youtube.com/watch?v=xhY7m8QVKjo&t=2121s",
            "https://www.youtube.com/watch?v=xhY7m8QVKjo&t=2121s",
        ),
        (
            "https://www.paperswithcode.com/datasets?fbclid=IwAR052",
            "https://paperswithcode.com/datasets",
        ),
        # Already clean: unchanged.
        ("https://arxiv.org/abs/1706.03762", "https://arxiv.org/abs/1706.03762"),
        ("https://huggingface.co/datasets/klue", "https://huggingface.co/datasets/klue"),
        (
            "https://www.youtube.com/watch?v=xhY7m8QVKjo&t=2121s",
            "https://www.youtube.com/watch?v=xhY7m8QVKjo&t=2121s",
        ),
        ("  https://example.com/padded  ", "https://example.com/padded"),
    ],
)
def test_normalize_url(pasted, normalized):
    assert normalize_url(pasted) == normalized
    assert normalize_url(normalized) == normalized  # a normal form stays put


@pytest.mark.parametrize(
    "url",
    [
        "",
        "github.com/kakaobrain/pororo",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "data:text/html,<script>",
        "https://",
        "https:///path-only",
        "https://exa mple.com/",
        "https://example.com/a\nb",
        "https://example.com:99999/",
        "https://example.com:port/",
        "http://[::1/",
        "https://" + "a" * 64 + ".com/",
        "https://a..b.com/",
        "https://ko.wikipedia.org/wiki/" + "가" * 700,  # 700 characters, 6,300 once encoded
    ],
)
def test_bad_urls_are_refused(url):
    with pytest.raises(InvalidURL):
        normalize_url(url)


@pytest.mark.parametrize(
    "url, domain",
    [
        ("https://www.facebook.com/groups/x/", "facebook.com"),
        ("https://xn--3e0b707e.kr/", "한국.kr"),
        ("https://cpm0722.github.io/pytorch-implementation/", "cpm0722.github.io"),
        ("https://m.blog.naver.com/x/1", "blog.naver.com"),
    ],
)
def test_domain_of(url, domain):
    assert domain_of(url) == domain


@pytest.mark.parametrize(
    "url, kind",
    [
        ("https://github.com/kakaobrain/pororo", LinkKind.REPOSITORY),
        ("https://github.com/kiyoungkim1/LMkor/tree/main/examples", LinkKind.REPOSITORY),
        ("https://gitlab.com/group/project", LinkKind.REPOSITORY),
        ("https://github.com/topics/nlp", LinkKind.ARTICLE),
        ("https://github.com/kakaobrain", LinkKind.ARTICLE),
        # Model hubs: models, datasets and demo apps are three kinds.
        ("https://huggingface.co/spaces/owner/demo", LinkKind.DEMO),
        ("https://hf.co/beomi/kcbert-base", LinkKind.MODEL),
        ("https://huggingface.co/datasets/squad_kor_v1", LinkKind.DATASET),
        ("https://huggingface.co/papers/2010.11929", LinkKind.PAPER),
        ("https://huggingface.co/models?pipeline_tag=translation", LinkKind.ARTICLE),
        ("https://huggingface.co/spaces", LinkKind.ARTICLE),
        ("https://tfhub.dev/google/universal-sentence-encoder/4", LinkKind.MODEL),
        ("https://www.kaggle.com/models/google/gemma", LinkKind.MODEL),
        ("https://pytorch.org/hub/pytorch_vision_resnet/", LinkKind.MODEL),
        ("https://pytorch.org/docs/stable/index.html", LinkKind.ARTICLE),
        ("https://ollama.com/library/llama3", LinkKind.MODEL),
        # Package registries.
        ("https://pypi.org/project/kiwipiepy/", LinkKind.PACKAGE),
        ("https://pypi.org/project/kiwipiepy/0.10.3/", LinkKind.PACKAGE),
        ("https://pypi.org/search/?q=kiwi", LinkKind.ARTICLE),
        ("https://www.npmjs.com/package/@tensorflow/tfjs", LinkKind.PACKAGE),
        ("https://www.npmjs.com/package/onnxruntime-web", LinkKind.PACKAGE),
        ("https://crates.io/crates/tokenizers", LinkKind.PACKAGE),
        ("https://pkg.go.dev/github.com/sugarme/tokenizer", LinkKind.PACKAGE),
        ("https://anaconda.org/conda-forge/pytorch", LinkKind.PACKAGE),
        ("https://rubygems.org/gems/tokenizers", LinkKind.PACKAGE),
        # Paper sites: a paper's page is a paper, the site's lists and searches are not.
        ("https://arxiv.org/pdf/2010.11929v2.pdf", LinkKind.PAPER),
        ("https://arxiv.org/html/2403.00001v1", LinkKind.PAPER),
        ("https://arxiv.org/list/cs.CL/recent", LinkKind.ARTICLE),
        ("https://openreview.net/pdf?id=YicbFdNTTy", LinkKind.PAPER),
        ("https://openreview.net/group?id=ICLR.cc/2021/Conference", LinkKind.ARTICLE),
        ("https://aclanthology.org/2020.acl-main.747.pdf", LinkKind.PAPER),
        ("https://aclanthology.org/events/acl-2021/", LinkKind.ARTICLE),
        ("https://www.aclweb.org/anthology/P19-1001/", LinkKind.PAPER),
        ("https://paperswithcode.com/sota/image-classification-on-imagenet", LinkKind.ARTICLE),
        (
            "https://www.semanticscholar.org/paper/Attention-is-All-you-Need/204e3073870fae3d05bcbc2f6a8e263d9b72e776",
            LinkKind.PAPER,
        ),
        ("https://www.semanticscholar.org/author/Ashish-Vaswani/40348417", LinkKind.ARTICLE),
        ("https://doi.org/10.18653/v1/2020.acl-main.747", LinkKind.PAPER),
        ("https://dx.doi.org/10.1145/3442188.3445922", LinkKind.PAPER),
        ("https://proceedings.neurips.cc/paper/2017/hash/3f5ee243.html", LinkKind.PAPER),
        ("https://arxiv.org/abs/1706.03762", LinkKind.PAPER),
        ("https://aclanthology.org/2021.naacl-main.1/", LinkKind.PAPER),
        ("https://openreview.net/forum?id=YicbFdNTTy", LinkKind.PAPER),
        ("https://paperswithcode.com/paper/attention-is-all-you-need", LinkKind.PAPER),
        ("https://paperswithcode.com/datasets", LinkKind.DATASET),
        ("https://paperswithcode.com/dataset/coco", LinkKind.DATASET),
        ("https://huggingface.co/datasets/klue", LinkKind.DATASET),
        ("https://www.kaggle.com/datasets/owner/name", LinkKind.DATASET),
        ("https://huggingface.co/kakaobrain/kogpt", LinkKind.MODEL),
        ("https://huggingface.co/docs/transformers", LinkKind.ARTICLE),
        ("https://www.youtube.com/watch?v=xhY7m8QVKjo", LinkKind.VIDEO),
        ("https://youtu.be/xhY7m8QVKjo", LinkKind.VIDEO),
        (
            "https://www.facebook.com/groups/TensorFlowKR/permalink/1411658372508550/",
            LinkKind.COMMUNITY_POST,
        ),
        (
            "https://m.facebook.com/groups/TensorFlowKR/posts/1411658372508550/",
            LinkKind.COMMUNITY_POST,
        ),
        ("https://www.reddit.com/r/MachineLearning/comments/abc/title/", LinkKind.COMMUNITY_POST),
        ("https://news.ycombinator.com/item?id=1", LinkKind.COMMUNITY_POST),
        ("https://www.facebook.com/groups/TensorFlowKR/", LinkKind.ARTICLE),
        ("https://cpm0722.github.io/pytorch-implementation/transformer", LinkKind.ARTICLE),
        ("https://medium.com/@someone/a-post", LinkKind.ARTICLE),
        ("https://airsc.ai/", LinkKind.OTHER),
    ],
)
def test_detect_kind(url, kind):
    assert detect_kind(normalize_url(url)) == kind


@pytest.mark.parametrize(
    "text, pointer",
    [
        ("여기", True),
        ("이곳", True),
        ("링크", True),
        ("여기를 클릭", True),
        ("바로가기", True),
        ("here", True),
        ("Here.", True),
        ("link", True),
        ("Click  here", True),
        ("(링크)", True),
        ("👉 여기", True),
        ("게시물 링크", True),
        ("github link", True),
        ("사이트 바로가기", True),
        ("this link", True),
        ("링크 클릭", True),
        ("GitHub", False),
        ("논문", False),
        ("github repository", False),
        ("현대자동차 AIRS 공식 홈페이지 바로가기", False),
        ("여기 모인 자료", False),
        ("KLUE paper", False),
        ("", False),
    ],
)
def test_pointer_words(text, pointer):
    assert is_pointer_word(text) is pointer


@pytest.mark.parametrize(
    "text, url, label",
    [
        # Named by what the address points at.
        ("여기", "https://github.com/Beomi/KcBERT", "GitHub: Beomi/KcBERT"),
        ("here", "https://github.com/Beomi/KcBERT/tree/master/src", "GitHub: Beomi/KcBERT"),
        ("링크", "https://gitlab.com/group/sub/project/-/tree/main", "GitLab: group/sub/project"),
        ("link", "https://arxiv.org/abs/2010.11929", "arXiv: 2010.11929"),
        ("이곳", "https://arxiv.org/pdf/2010.11929v2.pdf", "arXiv: 2010.11929v2"),
        ("click here", "https://pypi.org/project/kiwipiepy/", "PyPI: kiwipiepy"),
        ("여기", "https://www.npmjs.com/package/@tensorflow/tfjs", "npm: @tensorflow/tfjs"),
        ("여기", "https://crates.io/crates/tokenizers", "crates.io: tokenizers"),
        ("여기", "https://huggingface.co/beomi/kcbert-base", "Hugging Face: beomi/kcbert-base"),
        ("여기", "https://huggingface.co/datasets/klue", "Hugging Face dataset: klue"),
        ("여기", "https://huggingface.co/spaces/a/b", "Hugging Face Space: a/b"),
        ("여기", "https://openreview.net/forum?id=YicbFdNTTy", "OpenReview: YicbFdNTTy"),
        ("여기", "https://aclanthology.org/2021.naacl-main.1/", "ACL Anthology: 2021.naacl-main.1"),
        (
            "여기",
            "https://doi.org/10.18653/v1/2020.acl-main.747",
            "DOI: 10.18653/v1/2020.acl-main.747",
        ),
        ("여기", "https://paperswithcode.com/datasets", "Papers with Code"),
        ("여기", "https://www.youtube.com/watch?v=aircAruvnKk", "YouTube"),
        (
            "게시물 링크",
            "https://www.facebook.com/groups/TensorFlowKR/permalink/1/",
            "Facebook: TensorFlowKR",
        ),
        ("github link", "https://github.com/kiyoungkim1/LMkor", "GitHub: kiyoungkim1/LMkor"),
        # Otherwise by its host, as readers know it.
        ("여기", "https://www.lgresearch.ai/", "lgresearch.ai"),
        (
            "here",
            "https://cpm0722.github.io/pytorch-implementation/transformer",
            "cpm0722.github.io",
        ),
        ("여기", "https://xn--3e0b707e.kr/", "한국.kr"),
        # An address as its own text is named the same way.
        (
            "https://github.com/kakaobrain/pororo",
            "https://github.com/kakaobrain/pororo",
            "GitHub: kakaobrain/pororo",
        ),
        # Texts that name something stay.
        ("github repository", "https://github.com/kakaobrain/pororo", "github repository"),
        ("  모두의 말뭉치 ", "https://corpus.korean.go.kr/", "모두의 말뭉치"),
        ("LMkor", "https://github.com/kiyoungkim1/LMkor", "LMkor"),
    ],
)
def test_a_link_that_only_points_is_labelled_from_its_target(text, url, label):
    assert link_label(text, normalize_url(url)) == label
